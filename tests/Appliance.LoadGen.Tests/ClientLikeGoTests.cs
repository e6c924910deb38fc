using System.Text.Json;

namespace Appliance.LoadGen.Tests;

/// <summary>
/// The generator's HTTP/2 client behaves like Tailscale's Go client where it changes what the server does per
/// message (issue 16, fan): no RTT PING answered to DATA, which made every endpoint change cost each stream a PING,
/// its decryption and an encrypted PING ACK on the server (docs/benchmarks.md, "fan"), and a fixed 4 MiB stream
/// window (golang.org/x/net/http2 transport.go transportDefaultStreamFlow).
/// </summary>
public sealed class ClientLikeGoTests
{
    [Fact]
    public async Task The_generator_process_starts_with_dynamic_window_sizing_and_its_RTT_pings_switched_off()
    {
        // The switch is read once per process from its runtimeconfig.json, so the generator's own file is what counts.
        var path = Path.Combine(AppContext.BaseDirectory, "appliance-loadgen.runtimeconfig.json");
        using var config = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
        var options = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(options.GetProperty("System.Net.SocketsHttpHandler.Http2FlowControl.DisableDynamicWindowSizing").GetBoolean());
    }

    [Fact]
    public void TestKit_clients_announce_Go_s_four_MiB_stream_window()
    {
        var handler = Appliance.TestKit.Noise.NoiseControlClient.CreateHandlerForTesting();
        Assert.Equal(4 << 20, handler.InitialHttp2StreamWindowSize);
    }
}
