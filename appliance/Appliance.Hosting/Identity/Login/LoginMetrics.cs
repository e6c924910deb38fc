using System.Diagnostics.Metrics;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// The login page's instruments on the <see cref="MeterName"/> meter: refused logins by reason
/// (<c>appliance_login_failures_total{reason}</c>). Reasons are a small fixed set so the series stay bounded,
/// whatever a client sends.
/// </summary>
public sealed class LoginMetrics
{
    public const string MeterName = "Appliance.Hosting.Login";

    /// <summary>Every value the <c>reason</c> label takes.</summary>
    public static readonly IReadOnlyList<string> Reasons =
        ["bad_form", "unknown_link", "csrf", "locked_out", "unknown_person", "disabled", "wrong_password", "wrong_totp", "totp_replayed", "registration_failed", "other"];

    private readonly Counter<long> _failures;

    public LoginMetrics(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Meter = factory.Create(MeterName);
        _failures = Meter.CreateCounter<long>("appliance.login.failures", "{attempt}", "Refused logins on the login page, by reason.");
    }

    public Meter Meter { get; }

    public void Failed(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>The label for a refusal reason as the login page logs it.</summary>
    public static string ReasonLabel(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return reason switch
        {
            "form missing or larger than 8 KiB" => "bad_form",
            "unknown or expired registration" => "unknown_link",
            "missing, tampered or replayed CSRF token" => "csrf",
            "locked out" => "locked_out",
            "unknown person" => "unknown_person",
            "person disabled" => "disabled",
            "wrong password" => "wrong_password",
            "wrong TOTP code" => "wrong_totp",
            "TOTP code already used" => "totp_replayed",
            _ when reason.StartsWith("registration failed", StringComparison.Ordinal) => "registration_failed",
            _ => "other",
        };
    }
}
