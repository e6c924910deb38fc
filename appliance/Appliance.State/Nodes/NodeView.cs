namespace Appliance.State.Nodes;

/// <summary>A node as the operator sees it: the row, its owner's name, and whether it is online (null: unknown).</summary>
public sealed record NodeView(TailnetNode Node, string? UserName, bool? Online);
