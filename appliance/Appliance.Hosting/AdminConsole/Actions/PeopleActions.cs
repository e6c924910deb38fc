using System.Security.Cryptography;
using Appliance.Hosting.AdminConsole.Pages;
using Appliance.Hosting.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>
/// People in the identity file: add, disable/enable, reset the password or the TOTP secret (the new secret is shown
/// once, on the page the change answers), set the role. Each edit goes the CLI's way (`appliance users passwd|totp
/// enroll|disable|enable`): <see cref="IdentityFileWriter"/> validates the new text and writes it atomically with a
/// backup, only the changed values move (<see cref="IdentityTextEdit"/>: comments stay), and the running
/// <see cref="IdentityFileService"/> applies it to the tailnet at once. An IT admin cannot touch an owner or admin,
/// nor make anyone one; nobody disables themselves or changes their own role (the console would lock them out).
/// </summary>
internal static class PeopleActions
{
    public const int GeneratedPasswordLength = 20;

    /// <summary>No 0/O, 1/l/I: the password is read off a screen and typed.</summary>
    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private static readonly Lock WriteGate = new();

    public static Task<ChangeOutcome> Create(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var login = form["login"].ToString().Trim();
        var role = form["role"].ToString().Trim();
        var name = form["display_name"].ToString().Trim();
        var email = form["email"].ToString().Trim();
        if (Refusal(user, null, role) is { } refused)
        {
            return Page(user, context, login, refused.Status, refused.Message);
        }

        var password = NewPassword();
        var person = new Person(login, name.Length == 0 ? null : name, email.Length == 0 ? null : email, [], role, false, PasswordHasher.Hash(password), null, null);
        var identity = context.RequestServices.GetRequiredService<IdentityFileService>();
        var problem = Write(identity, () =>
        {
            if (!File.Exists(identity.FilePath))
            {
                IdentityFileWriter.Replace(identity.FilePath, IdentityPersonInsert.NewFile(person));
                return;
            }

            IdentityFileWriter.Replace(identity.FilePath, IdentityPersonInsert.Add(File.ReadAllText(identity.FilePath), person));
        });
        return problem is not null
            ? Page(user, context, login, problem.Value.Status, problem.Value.Message)
            : Page(user, context, login, StatusCodes.Status200OK, null, new PeoplePage.Secret(login, $"{login} was added as {role}.", password, null));
    }

    public static Task<ChangeOutcome> Disable(ConsoleUser user, IFormCollection form, HttpContext context) =>
        Edit(user, context, null, p => p with { Disabled = true }, p => $"{p.Login} is disabled: their login stops now.");

    public static Task<ChangeOutcome> Enable(ConsoleUser user, IFormCollection form, HttpContext context) =>
        Edit(user, context, null, p => p with { Disabled = false }, p => $"{p.Login} is enabled again.");

    public static Task<ChangeOutcome> SetRole(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var role = form["role"].ToString().Trim();
        return Edit(user, context, role, p => p with { Role = role }, p => $"{p.Login} is {p.Role} now.");
    }

    public static async Task<ChangeOutcome> ResetPassword(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var password = NewPassword();
        var hash = PasswordHasher.Hash(password);
        var login = Login(context);
        var outcome = await Edit(user, context, null, p => p with { PasswordHash = hash }, null).ConfigureAwait(false);
        return outcome.Outcome != "ok" ? outcome
            : await Page(user, context, login, StatusCodes.Status200OK, null, new PeoplePage.Secret(login, $"{login} has a new password.", password, null)).ConfigureAwait(false);
    }

    public static async Task<ChangeOutcome> ResetTotp(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var secret = TotpSecret.NewSecret();
        var login = Login(context);
        var outcome = await Edit(user, context, null, p => p with { TotpSecret = secret }, null).ConfigureAwait(false);
        return outcome.Outcome != "ok" ? outcome
            : await Page(user, context, login, StatusCodes.Status200OK, null,
                new PeoplePage.Secret(login, $"{login} has a new TOTP secret: their old codes no longer work.", null, TotpSecret.OtpAuthUri("Appliance", login, secret))).ConfigureAwait(false);
    }

    internal static string Login(HttpContext context) => context.Request.RouteValues["login"]?.ToString() ?? "";

    /// <summary>Changes one existing person; <paramref name="flash"/> null means the caller renders the answer itself.</summary>
    private static async Task<ChangeOutcome> Edit(ConsoleUser user, HttpContext context, string? newRole, Func<Person, Person> change, Func<Person, string>? flash)
    {
        var login = Login(context);
        var identity = context.RequestServices.GetRequiredService<IdentityFileService>();
        if (identity.Current.Find(login) is not { } target)
        {
            return await Page(user, context, login, StatusCodes.Status404NotFound, $"There is no person {login} in the identity file. Nothing was changed.").ConfigureAwait(false);
        }

        if (Refusal(user, target, newRole) is { } refused)
        {
            return await Page(user, context, login, refused.Status, refused.Message).ConfigureAwait(false);
        }

        if (target.Login == user.Person.Login && change(target) is var mine && (mine.Disabled || mine.Role != target.Role))
        {
            return await Page(user, context, login, StatusCodes.Status409Conflict,
                "You cannot disable yourself or change your own role here: you would lose the console. Ask another admin. Nothing was changed.").ConfigureAwait(false);
        }

        var problem = Write(identity, () => IdentityFileWriter.Edit(identity.FilePath, login, change));
        if (problem is not null)
        {
            return await Page(user, context, login, problem.Value.Status, problem.Value.Message).ConfigureAwait(false);
        }

        if (flash is null)
        {
            return new ChangeOutcome(login, "ok", Results.Empty);
        }

        user.Session.SetFlash(flash(identity.Current.Find(login) ?? target));
        return new ChangeOutcome(login, "ok", ConsoleResults.Redirect(context, PeoplePage.Path));
    }

    /// <summary>Why the person may not make this change (null when they may): roles above an IT admin are the admins' to give.</summary>
    private static (int Status, string Message)? Refusal(ConsoleUser user, Person? target, string? newRole)
    {
        if (newRole is not null && !PersonRoles.All.Contains(newRole))
        {
            return (StatusCodes.Status400BadRequest, $"\"{newRole}\" is not a role ({string.Join(", ", PersonRoles.All)}). Nothing was changed.");
        }

        var admin = user.Role is "owner" or "admin";
        if (!admin && (target?.Role is "owner" or "admin" || newRole is "owner" or "admin"))
        {
            return (StatusCodes.Status403Forbidden, $"Your role ({user.Role}) cannot change owners or admins, nor make anyone one. Nothing was changed.");
        }

        return null;
    }

    /// <summary>Runs one write of the identity file and applies it; the failure as status and message, or null.</summary>
    private static (int Status, string Message)? Write(IdentityFileService identity, Action write)
    {
        lock (WriteGate)
        {
            try
            {
                write();
            }
            catch (KeyNotFoundException)
            {
                return (StatusCodes.Status404NotFound, "That person is no longer in the identity file. Nothing was changed.");
            }
            catch (FileNotFoundException)
            {
                return (StatusCodes.Status404NotFound, "There is no identity file. Nothing was changed.");
            }
            catch (IdentityFileException e)
            {
                return (StatusCodes.Status400BadRequest, $"The identity file would not be valid: {e.Message}. Nothing was changed.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (StatusCodes.Status503ServiceUnavailable, $"The identity file could not be written ({e.Message}). Nothing was changed.");
            }

            // The watcher (identity.reload) would apply it too; applying here makes the change take effect before the answer.
            return identity.Reload() ? null
                : (StatusCodes.Status500InternalServerError, $"The identity file was written but not applied: {identity.LastError}");
        }
    }

    private static async Task<ChangeOutcome> Page(ConsoleUser user, HttpContext context, string login, int status, string? error, PeoplePage.Secret? secret = null) =>
        new(login, error is null ? "ok" : Outcome(status, error),
            await PeoplePage.Render(user, context, status, error, secret).ConfigureAwait(false));

    private static string Outcome(int status, string error) => status switch
    {
        StatusCodes.Status403Forbidden => "forbidden: " + error,
        StatusCodes.Status404NotFound => "notFound: " + error,
        StatusCodes.Status409Conflict => "conflict: " + error,
        StatusCodes.Status503ServiceUnavailable or StatusCodes.Status500InternalServerError => "failed: " + error,
        _ => "invalid: " + error,
    };

    private static string NewPassword() => RandomNumberGenerator.GetString(PasswordAlphabet, GeneratedPasswordLength);
}
