using System.IO.Pipelines;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Noise;

/// <summary>
/// ts2021 costs: one handshake (what every client reconnect costs the server) and transport sealing/opening of
/// full 4077-byte records (what a streamed MapResponse costs). Results: docs/benchmarks.md "## Noise transport".
/// Run: dotnet run -c Release --project tests/Appliance.Benchmarks -- --filter '*NoiseBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class NoiseBenchmarks
{
    private MachinePrivate _server = null!;
    private NoiseStaticKey _serverStatic = null!;
    private MachinePrivate _client = null!;
    private byte[] _initiation = null!;
    private NoiseCipherState _sealer = null!;
    private NoiseCipherState _opener = null!;
    private byte[] _plaintext = null!;
    private byte[] _frame = null!;
    private byte[] _opened = null!;
    private byte[] _payload64K = null!;
    private NoiseStream _stream = null!;
    private Pipe _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = MachinePrivate.Generate();
        _serverStatic = new NoiseStaticKey(_server);
        _client = MachinePrivate.Generate();
        _initiation = NoiseInitiator.Create(_client, _server.Public, 133).Initiation.ToArray();
        var key = new byte[32];
        key[0] = 1;
        _sealer = new NoiseCipherState(key);
        _opener = new NoiseCipherState(key);
        _plaintext = new byte[NoiseConstants.MaxPlaintextSize];
        _frame = new byte[NoiseConstants.MaxMessageSize];
        _opened = new byte[NoiseConstants.MaxPlaintextSize];
        _payload64K = new byte[64 * 1024];
        _sink = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var initiator = NoiseInitiator.Create(_client, _server.Public, 133);
        NoiseResponder.TryRespond(_server, initiator.Initiation.Span, out var accepted, out _);
        accepted!.Keys.Dispose();
        _stream = new NoiseStream(new Pipe().Reader, _sink.Writer.AsStream(), initiator.Finish(accepted.Response.Span));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sealer.Dispose();
        _opener.Dispose();
        _stream.Dispose();
        _serverStatic.Dispose();
    }

    /// <summary>
    /// Server side of one handshake as the server runs it: the static key imported once (NoiseServerKey), then
    /// validate, 4 DH, decrypt the machine key, build the response, split.
    /// </summary>
    [Benchmark]
    public bool ResponderHandshake()
    {
        var ok = NoiseResponder.TryRespond(_serverStatic, _initiation, out var accepted, out _);
        accepted?.Keys.Dispose();
        return ok;
    }

    /// <summary>The same, importing the static key for this one call (what every handshake paid before the key was kept).</summary>
    [Benchmark]
    public bool ResponderHandshakeImportingStaticKey()
    {
        var ok = NoiseResponder.TryRespond(_server, _initiation, out var accepted, out _);
        accepted?.Keys.Dispose();
        return ok;
    }

    /// <summary>Both sides of one handshake (what the load generator pays per client).</summary>
    [Benchmark]
    public void FullHandshake()
    {
        var initiator = NoiseInitiator.Create(_client, _server.Public, 133);
        NoiseResponder.TryRespond(_serverStatic, initiator.Initiation.Span, out var accepted, out _);
        accepted!.Keys.Dispose();
        initiator.Finish(accepted.Response.Span).Dispose();
    }

    /// <summary>Seal one full record (4077 plaintext bytes → 4096-byte frame).</summary>
    [Benchmark]
    public int SealRecord4077() => _sealer.SealRecord(_plaintext, _frame);

    /// <summary>Seal then open one full record (the opener follows the sealer's counter).</summary>
    [Benchmark]
    public bool SealAndOpenRecord4077()
    {
        var n = _sealer.SealRecord(_plaintext, _frame);
        _opener.SetNonceForTesting(_sealer.NextNonce - 1);
        return _opener.TryOpen(_frame.AsSpan(3, n - 3), _opened);
    }

    /// <summary>A 64 KiB write through NoiseStream: split into 17 records, sealed, one write to the transport.</summary>
    [Benchmark]
    public async Task StreamWrite64K()
    {
        await _stream.WriteAsync(_payload64K);
        var result = await _sink.Reader.ReadAsync();
        _sink.Reader.AdvanceTo(result.Buffer.End);
    }
}
