using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Derp;

/// <summary>
/// The DERP server's private key in <c>&lt;data&gt;/derp_server.key</c>, kept by <see cref="PrivateKeyFile"/> (one line
/// <c>privkey:&lt;64 hex&gt;</c>, mode 0600, created on first start; docs/decisions/0042). Clients learn the public half
/// from the ServerKey frame on every connection, so a new key only costs reconnects, but it is kept so that the server
/// identity is stable. A corrupt or exposed file stops startup with a clear error rather than being replaced.
/// </summary>
public static class DerpServerKeyFile
{
    public const string FileName = "derp_server.key";

    private const string Role = "DERP server key";

    private const string IfCorrupt = "Restore it from a backup, or delete it to generate a new key (DERP clients reconnect on their own).";

    public static NodePrivate LoadOrCreate(string path) => PrivateKeyFile.LoadOrCreate<NodePrivate>(path, Role, IfCorrupt);
}
