using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>
/// Polls GET http://127.0.0.1:PORT/ready once a second until it answers 2xx or the timeout passes. Loopback only:
/// the probe must never leave the machine.
/// </summary>
public sealed class HttpReadyProbe : IHealthProbe
{
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
                if (response.IsSuccessStatusCode)
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
}
