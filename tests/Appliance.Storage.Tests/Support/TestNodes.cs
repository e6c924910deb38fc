using System.Net;
using Appliance.Protocol.Keys;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Tests.Support;

/// <summary>Distinct, valid node rows: keys and names derive from a small number.</summary>
internal static class TestNodes
{
    public static MachinePublic Machine(int n) => MachinePublic.FromRaw(Key(0x10, n));

    public static NodePublic NodeKey(int n) => NodePublic.FromRaw(Key(0x20, n));

    public static NodeRecord New(int n, DateTimeOffset now) => new()
    {
        MachineKey = Machine(n),
        NodeKey = NodeKey(n),
        Hostname = $"host-{n}",
        GivenName = $"host-{n}",
        IPv4 = IPAddress.Parse($"100.64.0.{n}"),
        IPv6 = IPAddress.Parse($"fd7a:115c:a1e0::{n:x}"),
        CreatedAt = now,
        UpdatedAt = now,
        RegisterMethod = NodeRegisterMethod.AuthKey,
    };

    private static byte[] Key(byte kind, int n)
    {
        var raw = new byte[32];
        raw[0] = kind;
        BitConverter.TryWriteBytes(raw.AsSpan(1), n);
        return raw;
    }
}
