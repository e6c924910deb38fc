using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>`appliance users create|list|rename|delete`.</summary>
public static class UsersCommands
{
    public static Command Create()
    {
        var users = new Command("users", "Manage users (the owners of nodes and pre-auth keys).");
        CliContext.AddOptions(users);
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
        return new Command("create", "Create a user.") { name, displayName, email }.WithAdminAction(async (parse, api, output, ct) =>
        {
            var request = new CreateUserRequest(parse.GetRequiredValue(name), parse.GetValue(displayName), parse.GetValue(email));
            return output.Print(await api.CreateUserAsync(request, ct).ConfigureAwait(false), AdminJsonContext.Default.UserDto, u => Table([u]));
        });
    }

    private static Command ListCommand() =>
        new Command("list", "List users.").WithAdminAction(async (_, api, output, ct) =>
            output.Print(await api.ListUsersAsync(ct).ConfigureAwait(false), AdminJsonContext.Default.IReadOnlyListUserDto, Table));

    private static Command RenameCommand()
    {
        var name = new Argument<string>("name") { Description = "The user's current name." };
        var newName = new Argument<string>("new-name") { Description = "The new name." };
        return new Command("rename", "Rename a user.") { name, newName }.WithAdminAction(async (parse, api, output, ct) =>
            output.Print(
                await api.RenameUserAsync(parse.GetRequiredValue(name), parse.GetRequiredValue(newName), ct).ConfigureAwait(false),
                AdminJsonContext.Default.UserDto,
                u => Table([u])));
    }

    private static Command DeleteCommand()
    {
        var name = new Argument<string>("name") { Description = "The user to delete." };
        var force = new Option<bool>("--force") { Description = "Also delete the nodes the user owns." };
        return new Command("delete", "Delete a user and their pre-auth keys (refused while they own nodes, unless --force).") { name, force }
            .WithAdminAction(async (parse, api, output, ct) =>
                output.Print(
                    await api.DeleteUserAsync(parse.GetRequiredValue(name), parse.GetValue(force), ct).ConfigureAwait(false),
                    AdminJsonContext.Default.UserDeletionDto,
                    d => new TextTable("DELETED USER", "REMOVED NODES").Add(d.User.Name, CliOutput.List(d.RemovedNodes.Select(n => n.ToString(CultureInfo.InvariantCulture))))));
    }
}
