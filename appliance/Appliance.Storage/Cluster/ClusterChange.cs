namespace Appliance.Storage.Cluster;

/// <summary>One committed change to a tailnet table, as the 0004 triggers record it in <c>ha_changes</c>.</summary>
/// <param name="Seq">The change's sequence number (what NOTIFY carries).</param>
/// <param name="Entity">node, user, policy or presence (the trigger's first argument).</param>
/// <param name="RowId">The changed row's id (for presence: the node's id).</param>
/// <param name="Origin">The writing instance's id (its connections' application_name).</param>
internal sealed record ClusterChange(long Seq, string Entity, long RowId, string Origin);
