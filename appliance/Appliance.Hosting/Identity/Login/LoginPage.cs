using System.Net;

namespace Appliance.Hosting.Identity.Login;

/// <summary>The login page's HTML: one embedded template, every value HTML-encoded. Works without JavaScript.</summary>
internal static class LoginPage
{
    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(LoginPage).Assembly.GetManifestResourceStream("Appliance.Hosting.Identity.Login.login.html")
            ?? throw new InvalidOperationException("the login page template is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Form(string machine, string csrf, string? error, string login = "") => Render("Log in", $"""
        <h1>Log in to add a device</h1>
        <p class="machine">Device: <strong>{E(machine)}</strong></p>
        {(error is null ? "" : $"<p class=\"error\" role=\"alert\" id=\"error\">{E(error)}</p>")}
        <form method="post" autocomplete="off">
        {CredentialFields(csrf, login, error is not null)}
        </form>
        """);

    /// <summary>The password form's fields (CSRF token, user name, password, TOTP code, button): the device login page's and the console's.</summary>
    public static string CredentialFields(string csrf, string login, bool describedByError) => $"""
        <input type="hidden" name="csrf" value="{E(csrf)}">
        <label for="login">User name</label>
        <input id="login" name="login" type="text" autocomplete="username" required maxlength="256" value="{E(login)}"{(describedByError ? " aria-describedby=\"error\"" : "")}>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
        <label for="totp">Code from your authenticator app</label>
        <input id="totp" name="totp" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7">
        <button type="submit">Log in</button>
        """;

    /// <summary>The page for a person whose certificate was recognised: a button (and the code field when they
    /// have TOTP), with the password form below for someone else at the same browser.</summary>
    public static string CertificateForm(string machine, string csrf, string person, bool askCode, string? error) => Render("Log in", $"""
        <h1>Log in to add a device</h1>
        <p class="machine">Device: <strong>{E(machine)}</strong></p>
        {(error is null ? "" : $"<p class=\"error\" role=\"alert\" id=\"error\">{E(error)}</p>")}
        <form method="post" autocomplete="off">
        <input type="hidden" name="csrf" value="{E(csrf)}">
        <input type="hidden" name="method" value="certificate">
        <p id="certificate">Your browser presented the certificate of <strong>{E(person)}</strong>.</p>
        {(askCode ? """
        <label for="certificate-totp">Code from your authenticator app</label>
        <input id="certificate-totp" name="totp" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="7">
        """ : "")}
        <button type="submit">Log in as {E(person)}</button>
        </form>
        """);

    public static string Done(string machine, string person) => Render("Device added", $"""
        <h1>Device added</h1>
        <p class="ok" role="status" id="result">{E(machine)} is now registered to {E(person)}. You can close this page.</p>
        """);

    public static string Message(string title, string text) => Render(title, $"""
        <h1>{E(title)}</h1>
        <p class="error" role="alert" id="result">{E(text)}</p>
        """);

    private static string Render(string title, string body) =>
        Template.Value.Replace("{{TITLE}}", E(title), StringComparison.Ordinal).Replace("{{BODY}}", body, StringComparison.Ordinal);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
