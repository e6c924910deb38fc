using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// The page behind the AuthURL the appliance hands out (<c>{server_url}/register/{id}</c>). GET shows the form
/// for a waiting login; POST checks the CSRF token, the throttle, then login, password (Argon2id) and TOTP code
/// (once only) against the identity file and registers the waiting client to that person.
/// Trust model: the registration id (128 random bits) only names the machine; the person proves who they are.
/// Every refusal is logged (event 1410) with the reason; the page itself never says which factor was wrong.
/// Served wherever server_url points (the HTTPS listener in production); the cookie is Secure and __Host- there.
/// </summary>
public static partial class LoginEndpoints
{
    public const int MaxFormBytes = 8 * 1024;
    private const string Generic = "Wrong user name, password or code.";

    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/register/{id}", (RequestDelegate)(context => Show(context, Id(context)).ExecuteAsync(context)));
        app.MapPost("/register/{id}", (RequestDelegate)(async context =>
            await (await Submit(context, Id(context)).ConfigureAwait(false)).ExecuteAsync(context).ConfigureAwait(false)));
        return app;
    }

    private static string Id(HttpContext context) => context.Request.RouteValues["id"] as string ?? "";

    private static IResult Show(HttpContext context, string id)
    {
        var services = context.RequestServices;
        var writer = services.GetRequiredService<IIdentityStateWriter>();
        if (writer.FindPending(id) is not { } pending)
        {
            return Page(context, StatusCodes.Status404NotFound, LoginPage.Message("Login link not valid",
                "This login link is unknown or has expired. Run the login on the device again to get a new link."));
        }

        var csrf = services.GetRequiredService<LoginCsrf>().Issue(pending.Id);
        SetCsrfCookie(context, csrf);
        if (InspectCertificate(context) is { } certificate)
        {
            return ShowWithCertificate(context, pending, csrf, certificate);
        }

        return Page(context, StatusCodes.Status200OK, LoginPage.Form(pending.Hostname, csrf, null));
    }

    private static async Task<IResult> Submit(HttpContext context, string id)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Login");
        var writer = services.GetRequiredService<IIdentityStateWriter>();
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (context.Request.ContentLength is null or > MaxFormBytes || !context.Request.HasFormContentType)
        {
            Refused(context, logger, "-", address, "form missing or larger than 8 KiB");
            return Page(context, StatusCodes.Status413PayloadTooLarge, LoginPage.Message("Request refused", "The form was too large or missing."));
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var login = Field(form, "login", 256).Trim();
        var pending = writer.FindPending(id);
        if (pending is null)
        {
            Refused(context, logger, login, address, "unknown or expired registration");
            return Page(context, StatusCodes.Status404NotFound, LoginPage.Message("Login link not valid",
                "This login link is unknown or has expired. Run the login on the device again to get a new link."));
        }

        var csrf = services.GetRequiredService<LoginCsrf>();
        if (!csrf.TryConsume(pending.Id, context.Request.Cookies[CookieName(context)], Field(form, "csrf", 128)))
        {
            Refused(context, logger, login, address, "missing, tampered or replayed CSRF token");
            return Retry(context, csrf, pending, StatusCodes.Status400BadRequest, "The form expired. Please try again.", login);
        }

        if (Field(form, "method", 16) == CertificateMethod)
        {
            return SubmitCertificate(context, form, pending);
        }

        var throttle = services.GetRequiredService<LoginThrottle>();
        var time = services.GetRequiredService<TimeProvider>();
        string[] keys = ["user:" + login, "addr:" + address];
        if (throttle.LockedUntil(keys) is { } until)
        {
            Refused(context, logger, login, address, "locked out");
            return Retry(context, csrf, pending, StatusCodes.Status429TooManyRequests,
                $"Too many failed attempts. Try again in {Math.Ceiling((until - time.GetUtcNow()).TotalMinutes)} minutes.", login);
        }

        var identity = services.GetRequiredService<IdentityFileService>();
        var reason = Check(identity, services.GetRequiredService<TotpReplayGuard>(), time, login,
            Field(form, "password", PasswordHasher.MaxPasswordLength + 1), Field(form, "totp", 16));
        if (reason is not null)
        {
            throttle.Failure(keys);
            Refused(context, logger, login, address, reason);
            return Retry(context, csrf, pending, StatusCodes.Status401Unauthorized,
                throttle.LockedUntil(keys) is null ? Generic : "Too many failed attempts. Try again in 15 minutes.", login);
        }

        throttle.Success("user:" + login);
        var person = identity.Current.Find(login)!;
        var approval = writer.Register(pending.Id, login);
        if (approval.Status != ApprovalStatus.Approved)
        {
            Refused(context, logger, login, address, "registration failed: " + approval.Status);
            return Page(context, StatusCodes.Status409Conflict, LoginPage.Message("Not registered", "The device could not be registered; run the login on it again."));
        }

        LogRegistered(logger, login, pending.Hostname, address);
        LoginAudit.Succeeded(context, login, address, pending.Hostname);
        return Page(context, StatusCodes.Status200OK, LoginPage.Done(pending.Hostname, person.DisplayName ?? person.Login));
    }

    /// <summary>Null when the person may log in with these credentials; otherwise the reason for the log.</summary>
    internal static string? Check(IdentityFileService identity, TotpReplayGuard replay, TimeProvider time, string login, string password, string code)
    {
        if (!identity.Loaded || identity.Current.Find(login) is not { } person)
        {
            // Spend the same time as a real check so unknown names do not answer faster.
            PasswordHasher.Verify(password, DummyHash.Value);
            return "unknown person";
        }

        if (person.Disabled)
        {
            return "person disabled";
        }

        if (person.PasswordHash is null || !PasswordHasher.Verify(password, person.PasswordHash))
        {
            return "wrong password";
        }

        if (person.TotpSecret is { } secret)
        {
            if (TotpSecret.Match(secret, code, time.GetUtcNow()) is not { } step)
            {
                return "wrong TOTP code";
            }

            if (!replay.TryUse(person.Login, step))
            {
                return "TOTP code already used";
            }
        }

        return null;
    }

    // Every refusal: the log line (1410), the audit log and appliance_login_failures_total{reason}.
    private static void Refused(HttpContext context, ILogger logger, string login, string address, string reason)
    {
        LogRefused(logger, login, address, reason);
        LoginAudit.Refused(context, login, address, reason);
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("not a password"));

    private static IResult Retry(HttpContext context, LoginCsrf csrf, PendingRegistration pending, int status, string error, string login)
    {
        var token = csrf.Issue(pending.Id);
        SetCsrfCookie(context, token);
        return Page(context, status, LoginPage.Form(pending.Hostname, token, error, login));
    }

    private static string Field(IFormCollection form, string name, int max)
    {
        var value = form[name].ToString();
        return value.Length > max ? "" : value;
    }

    private static string CookieName(HttpContext context) => context.Request.IsHttps ? "__Host-login-csrf" : "login-csrf";

    private static void SetCsrfCookie(HttpContext context, string token) =>
        context.Response.Cookies.Append(CookieName(context), token, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = LoginCsrf.Lifetime,
        });

    private static IResult Page(HttpContext context, int status, string html) =>
        HtmlPages.Answer(context, status, html, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");

    [LoggerMessage(EventId = 1410, Level = LogLevel.Warning, Message = "Login refused for {Login} from {Address}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string login, string address, string reason);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Information, Message = "{Login} logged in from {Address} and registered {Machine}")]
    private static partial void LogRegistered(ILogger logger, string login, string machine, string address);
}
