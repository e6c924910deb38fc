using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>`appliance nodes list|expire|delete|rename|tag|register|approve-routes`.</summary>
public static class NodesCommands
{
    public static Command Create()
    {
        var nodes = new Command("nodes", "Manage registered nodes.");
        CliContext.AddOptions(nodes);
        nodes.Subcommands.Add(ListCommand());
        nodes.Subcommands.Add(ExpireCommand());
        nodes.Subcommands.Add(DeleteCommand());
        nodes.Subcommands.Add(RenameCommand());
        nodes.Subcommands.Add(TagCommand());
        nodes.Subcommands.Add(RegisterCommand());
        nodes.Subcommands.Add(ApproveRoutesCommand());
        return nodes;
    }

    internal static TextTable Table(IEnumerable<NodeDto> nodes)
    {
        var table = new TextTable("ID", "NAME", "HOSTNAME", "USER", "TAGS", "IP ADDRESSES", "ONLINE", "LAST SEEN", "EXPIRY");
        foreach (var n in nodes)
        {
            table.Add(
                n.Id.ToString(CultureInfo.InvariantCulture),
                n.Name,
                n.Hostname,
                n.User,
                CliOutput.List(n.Tags),
                CliOutput.List(n.IpAddresses),
                n.Online switch { true => "online", false => "offline", null => "unknown" },
                CliOutput.Time(n.LastSeen),
                n.Expired ? "expired" : CliOutput.Time(n.Expiry));
        }

        return table;
    }

    private static Argument<long> IdArgument() => new("id") { Description = "The node's id, as listed." };

    private static Command ListCommand()
    {
        var user = new Option<string?>("--user", "-u") { Description = "Only this user's nodes." };
        return new Command("list", "List nodes.") { user }.WithAdminAction(async (parse, api, output, ct) =>
            output.Print(await api.ListNodesAsync(parse.GetValue(user), ct).ConfigureAwait(false), AdminJsonContext.Default.IReadOnlyListNodeDto, Table));
    }

    private static Command ExpireCommand()
    {
        var id = IdArgument();
        return new Command("expire", "Expire a node's key now; the client must log in again.") { id }.WithAdminAction(async (parse, api, output, ct) =>
            output.Print(await api.ExpireNodeAsync(parse.GetValue(id), ct).ConfigureAwait(false), AdminJsonContext.Default.NodeDto, n => Table([n])));
    }

    private static Command DeleteCommand()
    {
        var id = IdArgument();
        return new Command("delete", "Delete a node.") { id }.WithAdminAction(async (parse, api, output, ct) =>
            output.Print(await api.DeleteNodeAsync(parse.GetValue(id), ct).ConfigureAwait(false), AdminJsonContext.Default.NodeDto, n => Table([n])));
    }

    private static Command RenameCommand()
    {
        var id = IdArgument();
        var name = new Argument<string>("new-name") { Description = "The MagicDNS name: a DNS label (a-z, 0-9, -)." };
        return new Command("rename", "Rename a node (its MagicDNS name).") { id, name }.WithAdminAction(async (parse, api, output, ct) =>
            output.Print(
                await api.RenameNodeAsync(parse.GetValue(id), parse.GetRequiredValue(name), ct).ConfigureAwait(false),
                AdminJsonContext.Default.NodeDto,
                n => Table([n])));
    }

    /// <summary>Headscale's spelling of `auth approve` (`headscale nodes register --user U --key ID`), for operators' habits and scripts.</summary>
    private static Command RegisterCommand()
    {
        var user = new Option<string>("--user", "-u") { Description = "The user who will own the node.", Required = true };
        var key = new Option<string>("--key", "-k") { Description = "The registration id (or /register/ URL) the client printed.", Required = true };
        return new Command("register", "Approve a waiting interactive login (same as `auth approve`).") { user, key }
            .WithServiceAction((parse, api, output, ct) => AuthCommands.ApproveAsync(api, output, parse.GetRequiredValue(key), parse.GetRequiredValue(user), ct));
    }

    private static Command TagCommand()
    {
        var id = IdArgument();
        var tags = new Option<string>("--tags", "-t")
        {
            Description = "Comma-separated tags (tag:a,tag:b) replacing the node's tags; a tagged node is owned by its tags, not a user. Empty clears.",
            Required = true,
        };
        return new Command("tag", "Set a node's tags.") { id, tags }.WithAdminAction(async (parse, api, output, ct) =>
        {
            var list = (parse.GetValue(tags) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return output.Print(await api.SetNodeTagsAsync(parse.GetValue(id), list, ct).ConfigureAwait(false), AdminJsonContext.Default.NodeDto, n => Table([n]));
        });
    }

    private static Command ApproveRoutesCommand()
    {
        var id = IdArgument();
        var routes = new Option<string>("--routes", "-r")
        {
            Description = "Comma-separated prefixes (10.0.0.0/24,0.0.0.0/0,::/0) replacing the node's approved routes; empty clears. "
                + "A route is served only while the node also advertises it.",
            Required = true,
        };
        return new Command("approve-routes", "Approve the subnet routes and exit-node routes a node advertises.") { id, routes }
            .WithAdminAction(async (parse, api, output, ct) =>
            {
                var list = (parse.GetValue(routes) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return output.Print(
                    await api.ApproveNodeRoutesAsync(parse.GetValue(id), list, ct).ConfigureAwait(false),
                    AdminJsonContext.Default.NodeDto,
                    n => RoutesTable(n));
            });
    }

    private static TextTable RoutesTable(NodeDto node)
    {
        var table = new TextTable("ID", "NAME", "ADVERTISED", "APPROVED");
        table.Add(node.Id.ToString(CultureInfo.InvariantCulture), node.Name, CliOutput.List(node.AdvertisedRoutes), CliOutput.List(node.ApprovedRoutes));
        return table;
    }
}
