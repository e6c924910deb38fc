namespace Appliance.Protocol.Keys;

/// <summary>A node's private X25519 key (the DERP server key, or a test client's WireGuard key). See <see cref="PrivateKey{TSelf, TPublic}"/>.</summary>
public sealed class NodePrivate : PrivateKey<NodePrivate, NodePublic>, IPrivateKey<NodePrivate>
{
    private NodePrivate(ReadOnlySpan<byte> raw)
        : base(raw)
    {
    }

    public static NodePrivate FromRaw(ReadOnlySpan<byte> raw) => new(raw);
}
