using System.Net;
using System.Net.Sockets;
using Appliance.Derp.Stun;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>
/// Runs the UDP STUN responder for the host's lifetime. The socket is bound in StartAsync so that a taken port stops
/// startup with a clear message instead of failing later.
/// </summary>
public sealed class StunHostedService(IPEndPoint endpoint, ILogger<StunHostedService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private StunListener? _listener;
    private Task _run = Task.CompletedTask;

    /// <summary>The bound address (the real port when configured with port 0). Null before start.</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint;

    public StunMetrics? Metrics => _listener?.Metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _listener = StunListener.Bind(endpoint);
        }
        catch (SocketException exception)
        {
            throw new InvalidOperationException($"derp.stun_listen {endpoint}: cannot bind the STUN UDP socket ({exception.SocketErrorCode}). Choose a free port or stop the other service.", exception);
        }

        DerpLog.StunListening(logger, _listener.LocalEndPoint);
        _run = Task.Run(() => _listener.RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _run.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stop.Dispose();
    }
}
