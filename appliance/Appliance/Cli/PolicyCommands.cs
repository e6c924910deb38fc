using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Policy;
using Appliance.Policy.Compilation;
using Appliance.State.Identity;
using Appliance.State.Policy;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Cli;

/// <summary>
/// `appliance policy check FILE | get | set FILE`. Like the users and nodes verbs, these talk to the running
/// service over admin.sock when it answers (so `set` applies at once and `check` compiles against the live
/// tailnet), and otherwise work on the database directly (`set` stores a version the service applies at its next
/// start). `check` also works with no data folder at all. The policy's `tests` name identities: a tag or user no
/// device has yet is checked on a stand-in, as Tailscale checks tests against the policy itself.
/// Errors print as FILE:LINE:COLUMN: reason; exit 1 on any error.
/// </summary>
public static class PolicyCommands
{
    public static Command Create()
    {
        var policy = new Command("policy", "Check, show and replace the tailnet policy (Tailscale HuJSON format).");
        policy.Subcommands.Add(CheckCommand());
        policy.Subcommands.Add(GetCommand());
        policy.Subcommands.Add(SetCommand());
        return policy;
    }

    private static Command CheckCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "The policy file (HuJSON)." };
        var command = new Command("check", "Parse and validate a policy file and run its tests; exit 1 on any error.") { file };
        command.WithOutputOption();
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (!TryRead(path, stderr, out var text))
            {
                return ExitCodes.Failure;
            }

            var context = CliContext.From(parse);
            if (await AdminClient.IsListeningAsync(context.AdminSocketPath, ct).ConfigureAwait(false))
            {
                using var client = new AdminClient(context.AdminSocketPath);
                var checkedLive = await client.CheckPolicyAsync(new CheckPolicyRequest(text), ct).ConfigureAwait(false);
                return Report(parse, stdout, stderr, path, checkedLive, n => $"{path.Name}: valid; tests pass against the running tailnet ({n.Nodes.ToString(CultureInfo.InvariantCulture)} nodes)");
            }

            // Tests name identities, not devices, so they run even without a tailnet (on stand-ins; PolicyTestTopology).
            var topology = TryLoadTopology(context, out var why);
            var result = CompiledPolicy.Compile(text, topology ?? new PolicyTopology([], []));
            var errors = result.Errors;

            if (errors.Count > 0)
            {
                return Report(parse, stdout, stderr, path, OperationResult.Invalid<int>(PolicyErrors.Format(errors)), _ => "");
            }

            var message = topology is null
                ? $"{path.Name}: valid; tests pass (no tailnet to check against: {why})"
                : $"{path.Name}: valid; tests pass against {topology.Nodes.Count.ToString(CultureInfo.InvariantCulture)} nodes";
            return Report(parse, stdout, stderr, path, OperationResult.Ok(0), _ => message);
        });
        return command;
    }

    private static Command GetCommand()
    {
        var command = new Command("get", "Print the current policy (the live one when the service runs).").WithAliases("show", "view", "fetch");
        return command.WithAdminAction(async (parse, api, output, ct) =>
        {
            var current = await api.GetPolicyAsync(ct).ConfigureAwait(false);
            if (!current.IsOk)
            {
                await output.Error.WriteLineAsync("error: " + current.Error).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (output.Format == OutputFormat.Table)
            {
                await output.Out.WriteAsync(current.Value!.Text).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            CliOutput.Write(output.Out, output.Format, current.Value!, AdminJsonContext.Default.PolicyDto, o =>
            {
                // Verbatim, so `policy get > file` gives the file back; a final newline only if the text lacks one.
                o.Write(current.Value!.Text);
                if (!current.Value.Text.EndsWith('\n'))
                {
                    o.WriteLine();
                }
            });
            return ExitCodes.Ok;
        });
    }

    private static Command SetCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "The new policy file (HuJSON)." };
        var command = new Command("set", "Validate a policy file against the tailnet and make it the current policy (live at once when the service runs).") { file };
        return command.WithAliases("put", "update").WithAdminAction(async (parse, api, output, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            if (!TryRead(path, output.Error, out var text))
            {
                return ExitCodes.Failure;
            }

            var stored = await api.SetPolicyAsync(new SetPolicyRequest(text, path.Name), ct).ConfigureAwait(false);
            if (!stored.IsOk)
            {
                Report(parse, output.Out, output.Error, path, stored, _ => "");
                await output.Error.WriteLineAsync("policy not changed").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var v = stored.Value!;
            var message = $"policy version {v.Version?.ToString(CultureInfo.InvariantCulture) ?? "-"} is current (sha256 {v.Sha256})";
            CliOutput.Write(output.Out, output.Format, new PolicyResultDto(true, v.Version, v.Sha256, message), CliJsonContext.Default.PolicyResultDto, o => o.WriteLine(message));
            return ExitCodes.Ok;
        });
    }

    /// <summary>Prints a check/set result: errors as FILE:LINE:COLUMN: reason (other refusals as they are).</summary>
    private static int Report<T>(ParseResult parse, TextWriter stdout, TextWriter stderr, FileInfo path, OperationResult<T> result, Func<T, string> success)
    {
        if (result.IsOk)
        {
            var message = success(result.Value!);
            CliOutput.Write(stdout, CliOutput.FormatOf(parse), new PolicyResultDto(true, null, null, message), CliJsonContext.Default.PolicyResultDto, o => o.WriteLine(message));
            return ExitCodes.Ok;
        }

        foreach (var line in (result.Error ?? "rejected").Split('\n'))
        {
            stderr.WriteLine(result.Status == OperationStatus.Invalid && char.IsAsciiDigit(line.FirstOrDefault()) ? $"{path.Name}:{line}" : "error: " + line);
        }

        return ExitCodes.Failure;
    }

    private static bool TryRead(FileInfo path, TextWriter stderr, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(path.FullName);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{path.Name}: cannot read: {e.Message}");
            return false;
        }
    }

    private static PolicyTopology? TryLoadTopology(CliContext context, out string why)
    {
        why = "";
        if (!File.Exists(Path.Combine(context.DataDirectory, "appliance.db")) && !Directory.Exists(context.DataDirectory))
        {
            why = $"no data folder at {context.DataDirectory}";
            return null;
        }

        try
        {
            using var directory = DataDirectory.Open(context.DataDirectory);
            using var database = DatabaseOpening.Open(directory, context.Config.Options.Database, TimeProvider.System);
            return PolicyTopologyBuilder.FromDatabase(database);
        }
        catch (Exception e) when (e is DataDirectoryException or DatabaseRefusedException or IOException)
        {
            why = e.Message;
            return null;
        }
    }
}
