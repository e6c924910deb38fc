using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Appliance.Control.Noise;

/// <summary>
/// Kestrel transport for decrypted Noise sessions: binds only <see cref="NoiseEndPoint"/> (the socket transport keeps
/// every IP endpoint), and its listener "accepts" the sessions the /ts2021 handler pushes into the
/// <see cref="NoiseConnectionHandoff"/>. Kestrel then serves HTTP/2 on them exactly as on a socket.
/// </summary>
public sealed class NoiseConnectionListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly NoiseConnectionHandoff _queue;

    public NoiseConnectionListenerFactory(NoiseConnectionHandoff queue) => _queue = queue;

    public bool CanBind(EndPoint endpoint) => endpoint is NoiseEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not NoiseEndPoint)
        {
            throw new NotSupportedException($"{endpoint} is not a Noise endpoint");
        }

        return ValueTask.FromResult<IConnectionListener>(new NoiseConnectionListener(endpoint, _queue));
    }

    private sealed class NoiseConnectionListener : IConnectionListener
    {
        private readonly NoiseConnectionHandoff _queue;
        private readonly CancellationTokenSource _unbind = new();
        private int _unbound;

        public NoiseConnectionListener(EndPoint endPoint, NoiseConnectionHandoff queue)
        {
            EndPoint = endPoint;
            _queue = queue;
            _queue.ListenerBound();
        }

        public EndPoint EndPoint { get; }

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbind.Token);
            return await _queue.DequeueAsync(linked.Token).ConfigureAwait(false);
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _unbound, 1) == 0)
            {
                _queue.ListenerUnbound();
                _unbind.Cancel();
            }

            return ValueTask.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            await UnbindAsync().ConfigureAwait(false);
            _unbind.Dispose();
        }
    }
}
