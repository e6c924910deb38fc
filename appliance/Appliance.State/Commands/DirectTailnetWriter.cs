using Appliance.State.Identity;

namespace Appliance.State.Commands;

/// <summary>
/// A writer with no snapshot to publish to: serializes writes and turns a refused database write into
/// <see cref="OperationStatus.Unavailable"/>. For an <see cref="IdentityService"/> that only checks keys (the
/// coordinator's own pre-auth key authority) and for tests of the identity verbs alone.
/// </summary>
public sealed class DirectTailnetWriter : ITailnetWriter
{
    private readonly Lock _lock = new();

    public OperationResult<T> Run<T>(string command, Func<OperationResult<T>> write, Func<T, TailnetEffect>? effect = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            lock (_lock)
            {
                return write();
            }
        }
        catch (Exception e) when (StorageFaults.IsStorageFault(e))
        {
            return OperationResult.Unavailable<T>($"{command}: the database refused the write ({e.Message}); nothing was changed");
        }
    }
}
