using System.CommandLine;
using System.Globalization;
using Appliance.Policy.Compilation;
using Appliance.Policy.Net;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;

namespace Appliance.Cli;

/// <summary>
/// `appliance policy check FILE | get | set FILE`. `check` parses and validates a HuJSON policy and runs its
/// `tests`/`sshTests` against the tailnet in the data folder (or, when that cannot be opened, reports that the
/// tests were not run). `get` and `set` read and append versions in the database directly; they need the data
/// folder unlocked (service stopped), because the running service has no admin verb for the policy yet.
/// Errors print as FILE:LINE:COLUMN: reason; exit 1 on any error.
/// </summary>
public static class PolicyCommands
{
    public static Command Create()
    {
        var policy = new Command("policy", "Check, show and replace the tailnet policy (Tailscale HuJSON format).");
        CliContext.AddOptions(policy);
        policy.Subcommands.Add(CheckCommand());
        policy.Subcommands.Add(GetCommand());
        policy.Subcommands.Add(SetCommand());
        return policy;
    }

    private static Command CheckCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "The policy file (HuJSON)." };
        var command = new Command("check", "Parse and validate a policy file and run its tests; exit 1 on any error.") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetRequiredValue(file);
            if (!TryRead(path, out var text))
            {
                return ExitCodes.Failure;
            }

            var topology = TryLoadTopology(parse, out var why);
            var result = CompiledPolicy.Compile(text, topology ?? new PolicyTopology([], []));
            var errors = result.Errors;
            if (topology is null && errors.All(e => e.Message.StartsWith("test(s) failed", StringComparison.Ordinal)) && errors.Count > 0)
            {
                errors = [];
            }

            foreach (var error in errors)
            {
                Console.Error.WriteLine($"{path.Name}:{error.Position.Line}:{error.Position.Column}: {error.Message}");
            }

            if (errors.Count > 0)
            {
                return ExitCodes.Failure;
            }

            Console.Out.WriteLine(topology is null
                ? $"{path.Name}: valid (tests not run: {why})"
                : $"{path.Name}: valid; tests pass against {topology.Nodes.Count.ToString(CultureInfo.InvariantCulture)} nodes");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command GetCommand()
    {
        var command = new Command("get", "Print the current policy (needs the service stopped).");
        command.SetAction(parse =>
        {
            using var store = OpenStore(parse);
            if (store is null)
            {
                return ExitCodes.Failure;
            }

            var latest = store.Store.Latest();
            if (latest is null)
            {
                Console.Error.WriteLine("no policy has been set");
                return ExitCodes.Failure;
            }

            Console.Out.Write(latest.Text);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SetCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "The new policy file (HuJSON)." };
        var command = new Command("set", "Validate a policy file and make it the current policy (needs the service stopped).") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetRequiredValue(file);
            if (!TryRead(path, out var text))
            {
                return ExitCodes.Failure;
            }

            using var store = OpenStore(parse);
            if (store is null)
            {
                return ExitCodes.Failure;
            }

            var result = CompiledPolicy.Compile(text, LoadTopology(store.Database));
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"{path.Name}:{error.Position.Line}:{error.Position.Column}: {error.Message}");
            }

            if (!result.Success)
            {
                Console.Error.WriteLine("policy not changed");
                return ExitCodes.Failure;
            }

            var version = store.Store.Append(text, "cli:" + path.Name, TimeProvider.System.GetUtcNow());
            Console.Out.WriteLine($"policy version {version.Id.ToString(CultureInfo.InvariantCulture)} stored (sha256 {version.Sha256})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool TryRead(FileInfo path, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(path.FullName);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{path.Name}: cannot read: {e.Message}");
            return false;
        }
    }

    private static OpenedStore? OpenStore(ParseResult parse)
    {
        var context = CliContext.From(parse);
        DataDirectory? directory = null;
        try
        {
            directory = DataDirectory.Open(context.DataDirectory);
            var database = ApplianceDatabase.Open(directory, TimeProvider.System);
            return new OpenedStore(directory, database);
        }
        catch (Exception e) when (e is DataDirectoryException or DatabaseRefusedException or IOException)
        {
            directory?.Dispose();
            Console.Error.WriteLine($"cannot open {context.DataDirectory}: {e.Message} (stop the service to use policy get/set)");
            return null;
        }
    }

    private static PolicyTopology? TryLoadTopology(ParseResult parse, out string why)
    {
        why = "";
        var context = CliContext.From(parse);
        if (!File.Exists(Path.Combine(context.DataDirectory, "appliance.db")) && !Directory.Exists(context.DataDirectory))
        {
            why = $"no data folder at {context.DataDirectory}";
            return null;
        }

        try
        {
            using var directory = DataDirectory.Open(context.DataDirectory);
            using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
            return LoadTopology(database);
        }
        catch (Exception e) when (e is DataDirectoryException or DatabaseRefusedException or IOException)
        {
            why = e.Message;
            return null;
        }
    }

    /// <summary>The tailnet as the policy sees it, in registration order (node id).</summary>
    private static PolicyTopology LoadTopology(ApplianceDatabase database)
    {
        var users = new UserStore(database).List()
            .OrderBy(u => u.Id)
            .Select(u => new PolicyUser(u.Id, u.Email ?? u.Name, u.Name))
            .ToList();
        var nodes = new NodeStore(database).List()
            .OrderBy(n => n.Id)
            .Select(n => new PolicyNode(
                n.Id,
                n.GivenName,
                n.UserId,
                n.Tags.IsDefault ? [] : n.Tags,
                new[] { n.IPv4, n.IPv6 }.Where(a => a is not null).Select(a => IPAddr.FromIPAddress(a!)).ToList(),
                [],
                n.ApprovedRoutes.IsDefault ? [] : n.ApprovedRoutes.Select(r => new IPPrefix(IPAddr.FromIPAddress(r.BaseAddress), r.PrefixLength)).ToList()))
            .ToList();
        return new PolicyTopology(users, nodes);
    }

    private sealed class OpenedStore(DataDirectory directory, ApplianceDatabase database) : IDisposable
    {
        public ApplianceDatabase Database => database;

        public PolicyStore Store { get; } = new(database);

        public void Dispose()
        {
            database.Dispose();
            directory.Dispose();
        }
    }
}
