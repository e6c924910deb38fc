using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>`appliance nodes list|list-routes|expire|delete|rename|tag|register|approve-routes`.</summary>
public static class NodesCommands
{
    public static Command Create()
    {
        var nodes = new Command("nodes", "Manage registered nodes.").WithAliases("node");
        nodes.Subcommands.Add(ListCommand());
        nodes.Subcommands.Add(ListRoutesCommand());
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

    /// <summary>The node id argument; a value that is not a whole number is refused in words, not as 'System.Int64'.</summary>
    internal static Argument<long> IdArgument() => new("id")
    {
        Description = "The node's id, as `nodes list` shows it.",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }

            result.AddError($"'{text}' is not a node id: use the number in the ID column of `appliance nodes list`.");
            return 0;
        },
    };

    private static Command ListCommand()
    {
        var user = new Option<string?>("--user", "-u") { Description = "Only this user's nodes." };
        var tag = new Option<string?>("--tag", "-t") { Description = "Only nodes with this tag (tag:name)." };
        var online = new Option<bool>("--online") { Description = "Only nodes connected now (the running service knows)." };
        var expired = new Option<bool>("--expired") { Description = "Only nodes whose key has expired." };
        return new Command("list", "List nodes, optionally filtered by user, tag, online or expired.") { user, tag, online, expired }
            .WithAliases("ls", "show")
            .WithAdminAction(async (parse, api, output, ct) =>
            {
                var listed = await api.ListNodesAsync(parse.GetValue(user), ct).ConfigureAwait(false);
                var filter = new NodeFilter(parse.GetValue(tag), parse.GetValue(online), parse.GetValue(expired));
                return output.Print(listed.Map(filter.Apply), AdminJsonContext.Default.IReadOnlyListNodeDto, Table);
            });
    }

    /// <summary>Headscale's `nodes list-routes`: what each node advertises, what is approved, and what is served (both).</summary>
    private static Command ListRoutesCommand()
    {
        var id = new Option<long?>("--identifier", "-i") { Description = "Only this node." };
        return new Command("list-routes", "List the subnet and exit-node routes nodes advertise, and which are approved.") { id }
            .WithAliases("lsr", "routes")
            .WithAdminAction(async (parse, api, output, ct) =>
            {
                var listed = await api.ListNodesAsync(null, ct).ConfigureAwait(false);
                var only = parse.GetValue(id);
                var routes = listed.Map(nodes => (IReadOnlyList<NodeRoutesDto>)[.. nodes
                    .Where(n => only is null ? n.AdvertisedRoutes.Count + n.ApprovedRoutes.Count > 0 : n.Id == only)
                    .Select(NodeRoutesDto.Of)]);
                return output.Print(routes, CliJsonContext.Default.IReadOnlyListNodeRoutesDto, RoutesTable);
            });
    }

    private static Command ExpireCommand()
    {
        var id = IdArgument();
        var at = new Option<DateTimeOffset?>("--expiry", "-e")
        {
            Description = "Expire at this time instead of now (ISO-8601/RFC 3339, e.g. 2026-08-27T10:00:00Z).",
            HelpName = "TIME",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                {
                    return time;
                }

                result.AddError($"'{text}' is not a time: use RFC 3339, e.g. 2026-08-27T10:00:00Z.");
                return null;
            },
        };
        var disable = new Option<bool>("--disable", "-d") { Description = "Disable key expiry: the node never expires." };
        var command = new Command("expire", "Expire a node's key now (the client must log in again), at --expiry TIME, or never (--disable).") { id, at, disable }
            .WithAliases("logout", "exp", "e");
        command.Validators.Add(result =>
        {
            // GetResult, not GetValue: a value that did not parse must be reported by its parser, not thrown here.
            if (result.GetResult(at) is not null && result.GetResult(disable) is not null)
            {
                result.AddError("--expiry and --disable cannot be used together.");
            }
        });
        return command.WithAdminAction(async (parse, api, output, ct) =>
        {
            var node = parse.GetValue(id);
            var changed = parse.GetValue(disable) ? await api.SetNodeExpiryAsync(node, new SetExpiryRequest(null), ct).ConfigureAwait(false)
                : parse.GetValue(at) is { } time ? await api.SetNodeExpiryAsync(node, new SetExpiryRequest(time.ToUniversalTime()), ct).ConfigureAwait(false)
                : await api.ExpireNodeAsync(node, ct).ConfigureAwait(false);
            return output.Print(changed, AdminJsonContext.Default.NodeDto, n => Table([n]));
        });
    }

    private static Command DeleteCommand()
    {
        var id = IdArgument();
        return new Command("delete", "Delete a node (asks first unless --force).") { id }
            .WithAliases("rm", "del")
            .WithForceOption()
            .WithAdminAction(async (parse, api, output, ct) =>
            {
                var node = parse.GetValue(id);
                var listed = await api.ListNodesAsync(null, ct).ConfigureAwait(false);
                var name = listed.IsOk ? listed.Value!.FirstOrDefault(n => n.Id == node)?.Name : null;
                var what = $"delete node {node.ToString(CultureInfo.InvariantCulture)}{(name is null ? "" : $" ({name})")}";
                if (await Confirmation.AskAsync(parse, what, output.Error).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }

                return output.Print(await api.DeleteNodeAsync(node, ct).ConfigureAwait(false), AdminJsonContext.Default.NodeDto, n => Table([n]));
            });
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
        return new Command("tag", "Set a node's tags.") { id, tags }.WithAliases("tags", "t").WithAdminAction(async (parse, api, output, ct) =>
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
                    n => RoutesTable([NodeRoutesDto.Of(n)]));
            });
    }

    private static TextTable RoutesTable(IEnumerable<NodeRoutesDto> nodes)
    {
        var table = new TextTable("ID", "NAME", "ADVERTISED", "APPROVED", "SERVED");
        foreach (var n in nodes)
        {
            table.Add(n.Id.ToString(CultureInfo.InvariantCulture), n.Name, CliOutput.List(n.AdvertisedRoutes), CliOutput.List(n.ApprovedRoutes), CliOutput.List(n.ServedRoutes));
        }

        return table;
    }
}
