using Appliance.State.Coordinator;
using Appliance.State.Nodes;

namespace Appliance.State.Tests.Support;

/// <summary>
/// A node repository that runs a test's hook inside a write (to force an interleaving while the writer holds its
/// lock) or fails writes the way a read-only or full database does.
/// </summary>
internal sealed class HookedNodeRepository(INodeRepository inner) : INodeRepository
{
    /// <summary>Runs inside <see cref="Update"/>, before the row is written.</summary>
    public Action<TailnetNode, NodeColumns>? BeforeUpdate { get; set; }

    /// <summary>When set, every write throws it (SQLite's own exception type for a read-only or full database).</summary>
    public Func<Exception>? Failure { get; set; }

    public IReadOnlyList<TailnetNode> LoadAll() => inner.LoadAll();

    public WriteResult<TailnetNode> Insert(TailnetNode node)
    {
        ThrowIfFailing();
        return inner.Insert(node);
    }

    public WriteResult<TailnetNode> Update(TailnetNode node, NodeColumns columns)
    {
        var hook = BeforeUpdate;
        BeforeUpdate = null;
        hook?.Invoke(node, columns);
        ThrowIfFailing();
        return inner.Update(node, columns);
    }

    public bool Delete(long id)
    {
        ThrowIfFailing();
        return inner.Delete(id);
    }

    private void ThrowIfFailing()
    {
        if (Failure is { } failure)
        {
            throw failure();
        }
    }
}
