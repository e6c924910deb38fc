using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>
/// Polls GET http://127.0.0.1:PORT/ready once a second until it answers 2xx from the expected release, or the timeout
/// passes. Loopback only: the probe must never leave the machine. A ready answer whose <c>Appliance-Version</c> header
/// is missing or names another release does not count: the old process (a restart that did not take, or a second
/// instance on the port) would otherwise pass the new release's health check.
/// </summary>
public sealed class HttpReadyProbe : IHealthProbe
{
    /// <summary>Set by Appliance.Hosting's HealthEndpoints on /health and /ready.</summary>
    public const string VersionHeader = "Appliance-Version";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Uri _ready;
    private readonly TimeProvider _time;

    public HttpReadyProbe(int port, TimeProvider time)
    {
        _ready = new Uri($"http://127.0.0.1:{port}/ready");
        _time = time;
    }

    public async Task<bool> WaitHealthyAsync(ApplianceVersion expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = _time.GetUtcNow() + timeout;
        while (_time.GetUtcNow() < deadline)
        {
            try
            {
                using var response = await client.GetAsync(_ready, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode && IsVersion(response, expected))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet: the service is still starting.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One request timed out; try again until the deadline.
            }

            await Task.Delay(Interval, _time, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private static bool IsVersion(HttpResponseMessage response, ApplianceVersion expected) =>
        response.Headers.TryGetValues(VersionHeader, out var values)
        && values.FirstOrDefault() is { } text
        && ApplianceVersion.TryParseInformational(text, out var running)
        && running == expected;
}
