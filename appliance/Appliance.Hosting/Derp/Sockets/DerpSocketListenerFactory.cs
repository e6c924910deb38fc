using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Appliance.Hosting.Derp.Sockets;

/// <summary>
/// Kestrel transport for the plain HTTP listener (<c>server.listen</c>) when DERP may be served there
/// (<c>derp.allow_plain_http</c>; decision 0119): it binds that endpoint's socket itself, so that a DERP client's
/// connection can be run on the socket with large reads and direct sends (<see cref="DerpSocketListener"/>), while
/// every other connection is handed to Kestrel as an ordinary socket connection, its bytes untouched. Registered after
/// Kestrel's socket transport, so Kestrel asks it first (the last registered factory that can bind wins) and it
/// declines every other endpoint: the HTTPS listener (DERP over TLS stays on the connection-upgrade dispatcher), the
/// admin socket, the Noise endpoint.
/// </summary>
internal sealed class DerpSocketListenerFactory(IServiceProvider services, IPEndPoint httpListen) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint ip && ip.Equals(httpListen);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip)
        {
            throw new NotSupportedException($"{endpoint} is not an IP endpoint");
        }

        var transport = services.GetService<IOptions<SocketTransportOptions>>()?.Value ?? new SocketTransportOptions();
        var limits = services.GetService<IOptions<KestrelServerOptions>>()?.Value.Limits ?? new KestrelServerLimits();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var kestrel = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions
            {
                IOQueueCount = transport.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = transport.MaxReadBufferSize,
                MaxWriteBufferSize = transport.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
            },
            loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        var head = new DerpSocketHead(limits.KeepAliveTimeout, limits.RequestHeadersTimeout, services.GetService<TimeProvider>() ?? TimeProvider.System);
        var listener = new DerpSocketListener(ip, transport, kestrel, head, services, loggers.CreateLogger("Appliance.Derp"));
        listener.Bind();
        return ValueTask.FromResult<IConnectionListener>(listener);
    }
}
