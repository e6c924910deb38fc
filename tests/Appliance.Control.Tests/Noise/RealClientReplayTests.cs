using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;
using Appliance.TestKit;

namespace Appliance.Control.Tests.Noise;

/// <summary>
/// Replays a real Tailscale v1.96.5 client's recorded bytes (../shared/conformance/real-client/noise/session-1-node-a.json)
/// against the running transport: the recorded upgrade request head, then the client's first encrypted records
/// (HTTP/2 preface, SETTINGS, and the /machine/register request with :scheme https). The server, seeded with the
/// recorded static and ephemeral keys, must answer with the recorded 51-byte response and serve the request through
/// Kestrel's normal routing with the client's machine key as the session identity.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RealClientReplayTests
{
    [Fact]
    public async Task Recorded_real_client_registers_through_kestrel_over_noise()
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(RepoPaths.RealClientPath("noise", "session-1-node-a.json")));
        var root = doc.RootElement;
        byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);

        var dataDir = Directory.CreateTempSubdirectory("noise-replay-").FullName;
        var keyPath = Path.Combine(dataDir, "noise_private.key");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        await using (var file = new FileStream(keyPath, options))
        {
            await file.WriteAsync(Encoding.ASCII.GetBytes(MachinePrivate.FromRaw(Hex(root, "server_static_private")).ToSecretText()));
        }

        await using var server = await NoiseTestServer.StartAsync(dataDir, Hex(root, "server_ephemeral_private"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        var network = tcp.GetStream();

        // The client's exact request head, then its first four c2s records (nonces 0-3: preface+SETTINGS+WINDOW_UPDATE,
        // HEADERS of POST /machine/register, its DATA with END_STREAM, SETTINGS ACK).
        await network.WriteAsync(Hex(root, "upgrade_request"));
        foreach (var record in root.GetProperty("records").EnumerateArray()
                     .Where(r => r.GetProperty("dir").GetString() == "c2s" && r.GetProperty("nonce").GetInt32() <= 3))
        {
            await network.WriteAsync(Hex(record, "frame"));
        }

        var reader = PipeReader.Create(network);
        var head = await ReadHeadAsync(reader);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Equal(Hex(root, "response"), await ReadExactlyAsync(reader, NoiseConstants.ResponseSize));

        // Decrypt what the server sends with the recorded server→client key, as the real client would.
        using var opener = new NoiseCipherState(Hex(root.GetProperty("derived"), "server_to_client_key"));
        var plaintext = new List<byte>();
        var body = (string?)null;
        var status = (byte?)null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (body is null)
        {
            var header = await ReadExactlyAsync(reader, 3, timeout.Token);
            Assert.Equal(0x04, header[0]);
            var sealedBytes = await ReadExactlyAsync(reader, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1)), timeout.Token);
            var plain = new byte[sealedBytes.Length - NoiseConstants.TagSize];
            Assert.True(opener.TryOpen(sealedBytes, plain));
            plaintext.AddRange(plain);
            (status, body) = ParseStreamOne(plaintext.ToArray());
        }

        Assert.Equal((byte)0x88, status); // HPACK static index 8 = ":status 200"
        Assert.Equal($"mkey:{root.GetProperty("client_machine_public").GetString()} https /machine/register 996", body);
    }

    /// <summary>Skips the early payload, then walks HTTP/2 frames: the first HEADERS byte and the DATA of stream 1 once it ends.</summary>
    private static (byte? Status, string? Body) ParseStreamOne(byte[] plain)
    {
        if (plain.Length < 9)
        {
            return (null, null);
        }

        var offset = 0;
        if (plain[0] == 0xFF && plain[3] == 0x54)
        {
            var earlyLength = BinaryPrimitives.ReadUInt32BigEndian(plain.AsSpan(5));
            offset = 9 + (int)earlyLength;
        }

        byte? status = null;
        var data = new List<byte>();
        while (offset + 9 <= plain.Length)
        {
            var length = (plain[offset] << 16) | (plain[offset + 1] << 8) | plain[offset + 2];
            var type = plain[offset + 3];
            var flags = plain[offset + 4];
            var stream = BinaryPrimitives.ReadUInt32BigEndian(plain.AsSpan(offset + 5)) & 0x7FFFFFFF;
            if (offset + 9 + length > plain.Length)
            {
                break;
            }

            var payload = plain.AsSpan(offset + 9, length);
            if (stream == 1 && type == 0x01)
            {
                status = payload[0];
            }
            else if (stream == 1 && type == 0x00)
            {
                data.AddRange(payload.ToArray());
                if ((flags & 0x01) != 0)
                {
                    return (status, Encoding.UTF8.GetString(data.ToArray()));
                }
            }

            offset += 9 + length;
        }

        return (status, null);
    }

    private static async Task<string> ReadHeadAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            var bytes = buffer.ToArray();
            var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                reader.AdvanceTo(buffer.GetPosition(end + 4));
                return Encoding.ASCII.GetString(bytes, 0, end);
            }

            Assert.False(result.IsCompleted, "closed before the response head");
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                var bytes = buffer.Slice(0, count).ToArray();
                reader.AdvanceTo(buffer.GetPosition(count));
                return bytes;
            }

            Assert.False(result.IsCompleted, "closed early");
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
