using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>`appliance preauthkeys create|list|expire|delete`.</summary>
public static class PreAuthKeysCommands
{
    public static Command Create()
    {
        var keys = new Command("preauthkeys", "Manage pre-auth keys (let a client register without an interactive login).").WithAliases("preauthkey", "authkey", "pre");
        keys.Subcommands.Add(CreateCommand());
        keys.Subcommands.Add(ListCommand());
        keys.Subcommands.Add(ExpireCommand());
        keys.Subcommands.Add(DeleteCommand());
        return keys;
    }

    private static TextTable Table(IEnumerable<PreAuthKeyDto> keys)
    {
        var table = new TextTable("ID", "PREFIX", "USER", "TAGS", "REUSABLE", "EPHEMERAL", "USED", "EXPIRATION", "EXPIRED", "CREATED");
        foreach (var k in keys)
        {
            table.Add(
                k.Id.ToString(CultureInfo.InvariantCulture),
                k.Prefix,
                k.User,
                CliOutput.List(k.Tags),
                CliOutput.YesNo(k.Reusable),
                CliOutput.YesNo(k.Ephemeral),
                k.Used.ToString(CultureInfo.InvariantCulture),
                CliOutput.Time(k.Expiration),
                CliOutput.YesNo(k.Expired || k.RevokedAt is not null),
                CliOutput.Time(k.CreatedAt));
        }

        return table;
    }

    private static Command CreateCommand()
    {
        var user = new Option<string?>("--user", "-u") { Description = "The user who owns nodes registered with the key (omit for a tags-only key)." };
        var reusable = new Option<bool>("--reusable") { Description = "The key can register any number of nodes." };
        var ephemeral = new Option<bool>("--ephemeral") { Description = "Nodes registered with the key are removed when they go offline." };
        var expiration = new Option<string>("--expiration", "-e") { Description = "How long the key can be used: 30m, 1h, 7d...", DefaultValueFactory = _ => "1h" };
        var tags = new Option<string?>("--tags") { Description = "Comma-separated tags given to registered nodes: tag:a,tag:b." };
        var command = new Command("create", "Create a pre-auth key. Table output prints only the key, for scripts.")
        {
            user, reusable, ephemeral, expiration, tags,
        };
        return command.WithAliases("c", "new").WithAdminAction(async (parse, api, output, ct) =>
        {
            var request = new CreatePreAuthKeyRequest(
                parse.GetValue(user), parse.GetValue(reusable), parse.GetValue(ephemeral), parse.GetValue(expiration), SplitTags(parse.GetValue(tags)));
            var created = await api.CreatePreAuthKeyAsync(request, ct).ConfigureAwait(false);
            if (created.IsOk && output.Format == OutputFormat.Table)
            {
                await output.Out.WriteLineAsync(created.Value!.Key).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            return output.Print(created, AdminJsonContext.Default.PreAuthKeyDto, k => Table([k]));
        });
    }

    private static Command ListCommand()
    {
        var user = new Option<string?>("--user", "-u") { Description = "Only this user's keys." };
        return new Command("list", "List pre-auth keys (prefixes only; secrets are never stored).") { user }.WithAliases("ls", "show")
            .WithAdminAction(async (parse, api, output, ct) =>
                output.Print(await api.ListPreAuthKeysAsync(parse.GetValue(user), ct).ConfigureAwait(false), AdminJsonContext.Default.IReadOnlyListPreAuthKeyDto, Table));
    }

    private static Command ExpireCommand()
    {
        var key = new Argument<string>("key") { Description = "The key's prefix (apk_xxxxxxxxxxxx) as listed, or the whole key." };
        return new Command("expire", "Make a pre-auth key unusable from now on.") { key }.WithAliases("revoke", "exp", "e")
            .WithAdminAction(async (parse, api, output, ct) =>
                output.Print(
                    await api.ExpirePreAuthKeyAsync(PrefixOf(parse.GetRequiredValue(key)), ct).ConfigureAwait(false),
                    AdminJsonContext.Default.PreAuthKeyDto,
                    k => Table([k])));
    }

    private static Command DeleteCommand()
    {
        var key = new Argument<string>("key") { Description = "The key's prefix (apk_xxxxxxxxxxxx) as listed, or the whole key." };
        return new Command("delete", "Delete a pre-auth key (asks first unless --force); nodes it registered stay.") { key }
            .WithAliases("rm", "del", "d")
            .WithForceOption()
            .WithAdminAction(async (parse, api, output, ct) =>
            {
                var prefix = PrefixOf(parse.GetRequiredValue(key));
                if (await Confirmation.AskAsync(parse, $"delete pre-auth key {prefix}", output.Error).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }

                return output.Print(await api.DeletePreAuthKeyAsync(prefix, ct).ConfigureAwait(false), AdminJsonContext.Default.PreAuthKeyDto, k => Table([k]));
            });
    }

    /// <summary>Accepts the listed prefix or the full key (whose prefix is everything before the last underscore).</summary>
    private static string PrefixOf(string key) =>
        key.Count(c => c == '_') >= 2 ? key[..key.LastIndexOf('_')] : key;

    private static string[] SplitTags(string? tags) =>
        tags is null ? [] : tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
