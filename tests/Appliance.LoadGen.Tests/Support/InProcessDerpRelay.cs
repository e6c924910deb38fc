using System.IO.Pipelines;
using Appliance.Control.Connections;
using Appliance.Derp.Relay;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.LoadGen.Tests.Support;

/// <summary>
/// The real relay on 127.0.0.1 for <c>appliance-loadgen derp</c>: healthy (wired as the composition root wires it:
/// AddDerp, the raw-transport upgrade, MapDerp), dropping (a send queue far smaller than the generator's window, so
/// the relay drops by design), or stalling (its own /derp endpoint gives the relay a transport whose bytes toward the
/// clients vanish after the handshake: every destination stalls while the relay believes it delivered).
/// </summary>
internal sealed class InProcessDerpRelay : IAsyncDisposable
{
    private readonly LoopbackHost _host;
    private readonly string _dataDir;

    private InProcessDerpRelay(LoopbackHost host, string dataDir)
    {
        _host = host;
        _dataDir = dataDir;
    }

    public Uri Url => _host.BaseUri();

    public DerpServer Server => _host.Services.GetRequiredService<DerpServer>();

    public static Task<InProcessDerpRelay> HealthyAsync() => StartAsync(sendQueuePackets: 256, stall: false);

    public static Task<InProcessDerpRelay> DroppingAsync() => StartAsync(sendQueuePackets: 1, stall: false);

    public static Task<InProcessDerpRelay> StallingAsync() => StartAsync(sendQueuePackets: 256, stall: true);

    private static async Task<InProcessDerpRelay> StartAsync(int sendQueuePackets, bool stall)
    {
        var dataDir = Directory.CreateTempSubdirectory("loadgen-derp-").FullName;
        var options = new ApplianceOptions();
        options.Server.DataDir = dataDir;
        options.Derp.StunListen = "127.0.0.1:0";
        options.Derp.VerifyClients = false;
        options.Derp.AllowPlainHttp = true;
        options.Derp.SendQueuePackets = sendQueuePackets;
        var builder = LoopbackHost.CreateBuilder(listen =>
        {
            if (!stall)
            {
                listen.UseConnectionUpgrades();
            }
        });
        builder.Services.AddDerp(options);
        var app = builder.Build();
        if (stall)
        {
            app.MapGet("/derp", new RequestDelegate(StallingUpgradeAsync));
        }
        else
        {
            app.MapDerp();
        }

        return new InProcessDerpRelay(await LoopbackHost.StartAsync(app), dataDir);
    }

    private static async Task StallingUpgradeAsync(HttpContext context)
    {
        var server = context.RequestServices.GetRequiredService<DerpServer>();
        var upgrade = context.Features.Get<IHttpUpgradeFeature>()!;
        context.Response.Headers.Upgrade = "DERP";
        context.Response.Headers.Connection = "Upgrade";
        await using var stream = await upgrade.UpgradeAsync();
        // ServerKey and ServerInfo are well under 1 KiB: the handshake completes, relayed packets never arrive.
        var silent = new SilentAfterStream(stream, passBytes: 1024);
        var pipe = new DuplexPipe(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), PipeWriter.Create(silent, new StreamPipeWriterOptions(leaveOpen: true)));
        _ = await server.AcceptAsync(pipe, remote: null, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>Writes the first <c>passBytes</c> through, then swallows everything (reads pass through).</summary>
    private sealed class SilentAfterStream(Stream inner, int passBytes) : Stream
    {
        private long _written;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var pass = (int)Math.Clamp(passBytes - _written, 0, buffer.Length);
            _written += buffer.Length;
            if (pass > 0)
            {
                await inner.WriteAsync(buffer[..pass], cancellationToken);
            }
        }
    }
}
