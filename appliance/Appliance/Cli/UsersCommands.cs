using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>`appliance users create|list|rename|delete`.</summary>
public static class UsersCommands
{
    public static Command Create()
    {
        var users = new Command("users", "Manage users (the owners of nodes and pre-auth keys).").WithAliases("user");
        users.Aliases.Add("user");
        users.Subcommands.Add(CreateCommand());
        users.Subcommands.Add(ListCommand());
        users.Subcommands.Add(RenameCommand());
        users.Subcommands.Add(DeleteCommand());
        foreach (var command in UsersIdentityCommands.Create())
        {
            users.Subcommands.Add(command);
        }
        return users;
    }

    private static TextTable Table(IEnumerable<UserDto> users)
    {
        var table = new TextTable("ID", "NAME", "DISPLAY NAME", "EMAIL", "CREATED");
        foreach (var u in users)
        {
            table.Add(u.Id.ToString(CultureInfo.InvariantCulture), u.Name, u.DisplayName, u.Email, CliOutput.Time(u.CreatedAt));
        }

        return table;
    }

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name") { Description = "Login name: lower-case letters, digits and . _ @ -." };
        var displayName = new Option<string?>("--display-name") { Description = "Name shown to people." };
        var email = new Option<string?>("--email") { Description = "Contact address." };
        return new Command("create", "Create a user.") { name, displayName, email }.WithAliases("c", "new").WithAdminAction(async (parse, api, output, ct) =>
        {
            var request = new CreateUserRequest(parse.GetRequiredValue(name), parse.GetValue(displayName), parse.GetValue(email));
            return output.Print(await api.CreateUserAsync(request, ct).ConfigureAwait(false), AdminJsonContext.Default.UserDto, u => Table([u]));
        });
    }

    private static Command ListCommand() =>
        new Command("list", "List users.").WithAliases("ls", "show").WithAdminAction(async (_, api, output, ct) =>
            output.Print(await api.ListUsersAsync(ct).ConfigureAwait(false), AdminJsonContext.Default.IReadOnlyListUserDto, Table));

    private static Command RenameCommand()
    {
        var name = new Argument<string>("name") { Description = "The user's current name." };
        var newName = new Argument<string>("new-name") { Description = "The new name." };
        return new Command("rename", "Rename a user.") { name, newName }.WithAliases("mv").WithAdminAction(async (parse, api, output, ct) =>
            output.Print(
                await api.RenameUserAsync(parse.GetRequiredValue(name), parse.GetRequiredValue(newName), ct).ConfigureAwait(false),
                AdminJsonContext.Default.UserDto,
                u => Table([u])));
    }

    private static Command DeleteCommand()
    {
        var name = new Argument<string>("name") { Description = "The user to delete." };
        var command = new Command("delete", "Delete a user, their pre-auth keys and the nodes they own (asks first unless --force).")
        {
            name,
        };
        command.WithAliases("rm", "destroy").WithForceOption("Do not ask; also delete the nodes the user owns (required when stdin is not a terminal).");
        return command.WithAdminAction(async (parse, api, output, ct) =>
        {
            var user = parse.GetRequiredValue(name);
            var owned = await api.ListNodesAsync(user, ct).ConfigureAwait(false);
            var nodes = owned.IsOk ? owned.Value!.Select(n => n.Id.ToString(CultureInfo.InvariantCulture)).ToList() : [];
            var what = nodes.Count == 0 ? $"delete user {user} and their pre-auth keys" : $"delete user {user}, their pre-auth keys and their nodes {string.Join(", ", nodes)}";
            if (await Confirmation.AskAsync(parse, what, output.Error).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }

            // Confirmed (or --force): the question named the nodes, so they go too.
            return output.Print(
                await api.DeleteUserAsync(user, force: true, ct).ConfigureAwait(false),
                AdminJsonContext.Default.UserDeletionDto,
                d => new TextTable("DELETED USER", "REMOVED NODES").Add(d.User.Name, CliOutput.List(d.RemovedNodes.Select(n => n.ToString(CultureInfo.InvariantCulture)))));
        });
    }
}
