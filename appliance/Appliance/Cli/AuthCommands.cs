using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>
/// `appliance auth list|approve`: interactive logins. A client without a pre-auth key prints an AuthURL
/// (<c>{server_url}/register/&lt;id&gt;</c>) and waits; the operator approves it for a user and the client's wait
/// completes with a node. The registrations live in the running service only, so these verbs need admin.sock.
/// </summary>
public static class AuthCommands
{
    public static Command Create()
    {
        var auth = new Command("auth", "Approve interactive logins (clients that printed a /register/ URL).");
        auth.Subcommands.Add(ListCommand());
        auth.Subcommands.Add(ApproveCommand());
        auth.Subcommands.Add(AuthRejectCommand.Create());
        return auth;
    }

    /// <summary>The registration id in what the operator pasted: the id itself, or the whole AuthURL.</summary>
    public static string RegistrationId(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim().TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash >= 0 ? trimmed[(slash + 1)..] : trimmed;
    }

    /// <summary>The `approve` verb body, shared with the Headscale-style alias `nodes register --user U --key ID`.</summary>
    public static async Task<int> ApproveAsync(IAdminApi api, VerbOutput output, string id, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(output);
        var approved = await api.ApproveRegistrationAsync(RegistrationId(id), user, cancellationToken).ConfigureAwait(false);
        return output.Print(approved, AdminJsonContext.Default.NodeDto, n => NodesCommands.Table([n]));
    }

    private static TextTable Table(IReadOnlyList<PendingRegistrationDto> pending, DateTimeOffset now)
    {
        var table = new TextTable("ID", "MACHINE KEY", "HOSTNAME", "OS", "AGE", "EXPIRES IN");
        foreach (var p in pending)
        {
            table.Add(p.Id, ShortKey(p.MachineKey), p.Hostname, p.Os ?? "-", Age(now - p.CreatedAt), Age(p.ExpiresAt - now));
        }

        return table;
    }

    /// <summary>`mkey:` and the first 8 hex digits: enough to match what the client's machine shows.</summary>
    private static string ShortKey(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && key.Length > colon + 9 ? key[..(colon + 9)] + "…" : key;
    }

    private static string Age(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:D2}m")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m{span.Seconds:D2}s");
    }

    private static Command ListCommand() =>
        new Command("list", "List logins waiting for approval (id, machine key, hostname, age).").WithAliases("ls").WithServiceAction(async (parse, api, output, ct) =>
        {
            var listed = await api.ListPendingRegistrationsAsync(ct).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            return output.Print(listed, AdminJsonContext.Default.IReadOnlyListPendingRegistrationDto, p => Table(p, now));
        });

    private static Command ApproveCommand()
    {
        var id = new Argument<string>("registration-id") { Description = "The id from `auth list`, or the whole /register/ URL the client printed." };
        var user = new Option<string>("--user", "-u") { Description = "The user who will own the node.", Required = true };
        return new Command("approve", "Approve a waiting login: the client becomes a node of the user.") { id, user }
            .WithServiceAction((parse, api, output, ct) => ApproveAsync(api, output, parse.GetRequiredValue(id), parse.GetRequiredValue(user), ct));
    }
}
