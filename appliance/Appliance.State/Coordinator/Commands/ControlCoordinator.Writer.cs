using Appliance.State.Commands;
using Appliance.State.Identity;

namespace Appliance.State.Coordinator;

/// <summary>
/// The coordinator as <see cref="ITailnetWriter"/>: commands run here one at a time; a refused database write is
/// reported (<see cref="OperationStatus.Unavailable"/>, event StorageWriteFailed) and leaves the snapshot as it was,
/// because a change is published only after its write succeeded.
/// </summary>
public sealed partial class ControlCoordinator : ITailnetWriter
{
    public OperationResult<T> Run<T>(string command, Func<OperationResult<T>> write, Func<T, TailnetEffect>? effect = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Command(command, () =>
        {
            var result = write();
            if (result.IsOk && effect is not null)
            {
                Apply(effect(result.Value));
            }

            return result;
        });
    }

    /// <summary>Runs one command on the writer; storage faults become Unavailable, refusals are logged.</summary>
    private OperationResult<T> Command<T>(string command, Func<OperationResult<T>> body)
    {
        OperationResult<T> result;
        try
        {
            result = Write(body);
        }
        catch (Exception e) when (StorageFaults.IsStorageFault(e))
        {
            StateEvents.StorageWriteFailed(_log, e, command);
            return OperationResult.Unavailable<T>($"{command}: the database refused the write ({e.Message}); nothing was changed");
        }

        return result.IsOk ? result : Refused(command, result);
    }

    private OperationResult<T> Refused<T>(string command, OperationResult<T> result)
    {
        StateEvents.CommandRefused(_log, command, result.Status, result.Error);
        return result;
    }

    /// <summary>Publishes what a users/keys write did: deleted nodes leave, a changed user's nodes are re-sent.</summary>
    private void Apply(TailnetEffect effect)
    {
        var snapshot = _snapshot;
        var removed = new List<long>();
        var changed = new List<long>();
        foreach (var id in effect.NodesDeleted)
        {
            if (snapshot.Find(id) is { } entry)
            {
                snapshot = snapshot.Without(entry);
                removed.Add(id);
            }
        }

        var usersChanged = false;
        if (effect.UserDeleted is { } deleted && snapshot.Users.ContainsKey(deleted))
        {
            snapshot = snapshot with { Users = snapshot.Users.Remove(deleted) };
            usersChanged = true;
        }

        foreach (var user in effect.UsersSaved.Prepend(effect.UserSaved).OfType<TailnetUser>())
        {
            if (snapshot.Users.ContainsKey(user.Id))
            {
                snapshot = snapshot with { Users = snapshot.Users.SetItem(user.Id, user) };
                changed.AddRange(snapshot.Nodes.Values.Where(e => e.Record.UserId == user.Id).Select(e => e.Id));
                usersChanged = true;
            }
        }

        if (removed.Count == 0 && !usersChanged)
        {
            return;
        }

        // Login names feed the policy (user:alice@ selectors), so a user change recompiles it like a topology change.
        if (usersChanged && snapshot.Policy.IsActive)
        {
            snapshot = snapshot with { PolicyStale = true };
        }

        Publish(snapshot, changes =>
        {
            removed.ForEach(changes.AddRemoved);
            changed.ForEach(changes.AddFull);
        });
    }
}
