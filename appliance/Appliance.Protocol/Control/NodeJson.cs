using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Appliance.Protocol.Control;

/// <summary>
/// A peer's tailcfg.Node as JSON, encoded once per <see cref="Node"/> object and shared by every full map that lists
/// it (issue 16: the full map at 10,000 nodes serialized 9,999 unchanged peers for every stream). The coordinator
/// projects a node's Node once per change and never mutates it, so the object is the cache key: a re-projected node
/// is a new object and gets a new encoding, and an encoding goes with the object it was made from.
/// </summary>
public static class NodeJson
{
    private static readonly ConditionalWeakTable<Node, byte[]> Encoded = new();

    /// <summary>The JSON of a shared (never mutated) Node, made on first use.</summary>
    public static byte[] Shared(Node node) => Encoded.GetValue(node, static n => Encode(n));

    /// <summary>The JSON of a Node made for one map only (not cached).</summary>
    public static byte[] Encode(Node node) => JsonSerializer.SerializeToUtf8Bytes(node, ControlJsonContext.Default.Node);
}
