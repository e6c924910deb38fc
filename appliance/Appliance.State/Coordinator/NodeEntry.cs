using Appliance.Protocol.Control;
using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>
/// One node in a <see cref="TailnetSnapshot"/>: the stored row, its parsed Hostinfo, runtime facts (online, the
/// capability version of its last map request) and <see cref="Wire"/>, its tailcfg.Node, projected once per change
/// and shared by every map that mentions it.
/// </summary>
public sealed record NodeEntry(TailnetNode Record, Hostinfo? Hostinfo, bool Online, int Cap, Node Wire)
{
    public long Id => Record.Id;
}
