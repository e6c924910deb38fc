using System.Security.Cryptography.X509Certificates;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Tls;
using Appliance.Pki.Clients;
using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// Client-certificate login (identity.certificate_login; docs/identity.md). The HTTPS listener asks every client
/// for a certificate; here the one presented on this connection is checked against the local CA and the site CA
/// (<see cref="ClientCertificateVerifier"/>, <see cref="SiteClientTrustSource"/>) and matched to a person by their <c>client_certificate</c> field.
/// The certificate replaces the password; a person with a TOTP secret still types the code. Refusals are logged
/// (event 3101) with the reason, which the page shows too: whoever holds a certificate may learn why it fails.
/// </summary>
public static partial class LoginEndpoints
{
    private const string CertificateMethod = "certificate";

    /// <summary>What the presented certificate means: null when there is none (or the feature is off or not HTTPS).</summary>
    internal sealed record CertificateIdentity(string Subject, Person? Person, string? Refusal);

    /// <summary>Also the admin console's certificate login (AdminConsole/ConsoleLogin).</summary>
    internal static CertificateIdentity? InspectCertificate(HttpContext context)
    {
        var services = context.RequestServices;
        if (!context.Request.IsHttps || !services.GetRequiredService<IdentityOptions>().CertificateLogin ||
            context.Connection.ClientCertificate is not { } certificate || services.GetService<ApplianceTlsOptions>() is not { } tls)
        {
            return null;
        }

        var subject = certificate.Subject;
        var verdict = ClientCertificateVerifier.Verify(tls.DataDir, services.GetRequiredService<SiteClientTrustSource>().Current, certificate,
            services.GetRequiredService<TimeProvider>().GetUtcNow());
        if (verdict != ClientCertificateVerdict.Accepted)
        {
            return new CertificateIdentity(subject, null, verdict switch
            {
                ClientCertificateVerdict.Expired => "Your certificate has expired.",
                ClientCertificateVerdict.NotYetValid => "Your certificate is not valid yet (check this device's clock).",
                ClientCertificateVerdict.Revoked => "Your certificate has been revoked.",
                ClientCertificateVerdict.NotForClientAuthentication => "Your certificate is not a client certificate.",
                ClientCertificateVerdict.RevocationUnknown => "Your certificate cannot be checked: the site's revocation list is missing or out of date.",
                _ => "Your certificate was not issued by this appliance's certificate authority or the site's.",
            });
        }

        var identity = services.GetRequiredService<IdentityFileService>();
        var person = identity.Loaded ? identity.Current.People.FirstOrDefault(p => p.ClientCertificate is { } field && ClientCertificateField.Matches(field, certificate)) : null;
        return person switch
        {
            null => new CertificateIdentity(subject, null, "Your certificate does not belong to anyone in the identity file."),
            { Disabled: true } => new CertificateIdentity(subject, person, "The person this certificate belongs to is disabled."),
            _ => new CertificateIdentity(subject, person, null),
        };
    }

    /// <summary>The GET page when a certificate was presented: its form, or the password form with why it was refused.</summary>
    private static IResult ShowWithCertificate(HttpContext context, PendingRegistration pending, string csrf, CertificateIdentity certificate)
    {
        if (certificate.Refusal is { } refusal)
        {
            LogCertificateRefused(Logger(context), certificate.Subject, Address(context), refusal);
            return Page(context, StatusCodes.Status200OK, LoginPage.Form(pending.Hostname, csrf, refusal + " Log in with your password instead."));
        }

        var person = certificate.Person!;
        return Page(context, StatusCodes.Status200OK,
            LoginPage.CertificateForm(pending.Hostname, csrf, person.DisplayName ?? person.Login, person.TotpSecret is not null, null));
    }

    private static IResult SubmitCertificate(HttpContext context, IFormCollection form, PendingRegistration pending)
    {
        var services = context.RequestServices;
        var logger = Logger(context);
        var address = Address(context);
        var csrf = services.GetRequiredService<LoginCsrf>();
        var throttle = services.GetRequiredService<LoginThrottle>();
        var time = services.GetRequiredService<TimeProvider>();
        var certificate = InspectCertificate(context);
        string[] keys = ["user:" + (certificate?.Person?.Login ?? "-"), "addr:" + address];
        if (throttle.LockedUntil(keys) is { } until)
        {
            LogCertificateRefused(logger, certificate?.Subject ?? "-", address, "locked out");
            return Retry(context, csrf, pending, StatusCodes.Status429TooManyRequests,
                $"Too many failed attempts. Try again in {Math.Ceiling((until - time.GetUtcNow()).TotalMinutes)} minutes.", "");
        }

        var reason = CertificateRefusal(context, certificate, Field(form, "totp", 16));
        var person = certificate?.Person;

        if (reason is not null)
        {
            throttle.Failure(keys);
            LogCertificateRefused(logger, certificate?.Subject ?? "-", address, reason);
            var shown = throttle.LockedUntil(keys) is not null ? "Too many failed attempts. Try again in 15 minutes."
                : reason.EndsWith("TOTP code", StringComparison.Ordinal) || reason.EndsWith("already used", StringComparison.Ordinal) ? "Wrong code."
                : certificate?.Refusal ?? "Your browser presented no certificate. Log in with your password.";
            var token = csrf.Issue(pending.Id);
            SetCsrfCookie(context, token);
            return Page(context, StatusCodes.Status401Unauthorized, person is not null && certificate!.Refusal is null
                ? LoginPage.CertificateForm(pending.Hostname, token, person.DisplayName ?? person.Login, person.TotpSecret is not null, shown)
                : LoginPage.Form(pending.Hostname, token, shown));
        }

        throttle.Success("user:" + person!.Login);
        var approval = services.GetRequiredService<IIdentityStateWriter>().Register(pending.Id, person.Login);
        if (approval.Status != ApprovalStatus.Approved)
        {
            LogCertificateRefused(logger, certificate!.Subject, address, "registration failed: " + approval.Status);
            return Page(context, StatusCodes.Status409Conflict, LoginPage.Message("Not registered", "The device could not be registered; run the login on it again."));
        }

        LogCertificateLogin(logger, person.Login, certificate!.Subject, address, pending.Hostname);
        return Page(context, StatusCodes.Status200OK, LoginPage.Done(pending.Hostname, person.DisplayName ?? person.Login));
    }

    /// <summary>
    /// Why <paramref name="certificate"/> does not log its person in (null when it does): none presented, refused by
    /// <see cref="InspectCertificate"/>, or a person with TOTP and a wrong or replayed <paramref name="code"/>.
    /// </summary>
    internal static string? CertificateRefusal(HttpContext context, CertificateIdentity? certificate, string code)
    {
        var reason = certificate is null ? "no certificate presented" : certificate.Refusal;
        if (reason is null && certificate!.Person!.TotpSecret is { } secret)
        {
            var services = context.RequestServices;
            reason = TotpSecret.Match(secret, code, services.GetRequiredService<TimeProvider>().GetUtcNow()) is not { } step ? "wrong TOTP code"
                : !services.GetRequiredService<TotpReplayGuard>().TryUse(certificate.Person.Login, step) ? "TOTP code already used"
                : null;
        }

        return reason;
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Login");

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "{Login} logged in with client certificate {Subject} from {Address} and registered {Machine}")]
    private static partial void LogCertificateLogin(ILogger logger, string login, string subject, string address, string machine);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Certificate login refused for {Subject} from {Address}: {Reason}")]
    private static partial void LogCertificateRefused(ILogger logger, string subject, string address, string reason);
}
