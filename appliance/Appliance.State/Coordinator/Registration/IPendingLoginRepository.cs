using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;

namespace Appliance.State.Coordinator;

/// <summary>Where a waiting interactive login is in its life (pending_logins.state).</summary>
public enum PendingLoginState
{
    /// <summary>Waiting for an operator; listed by <c>appliance auth list</c>.</summary>
    Waiting,

    /// <summary>One operator's approval or refusal has taken it; its result is being written.</summary>
    Claimed,

    /// <summary>Admitted as <see cref="PendingLogin.NodeId"/>.</summary>
    Approved,

    /// <summary>Refused (or the admission failed); the client is told <see cref="PendingLogin.Error"/>.</summary>
    Refused,
}

/// <summary>An interactive login as stored: what the client asked, until when, and what was decided.</summary>
public sealed record PendingLogin(
    string Id,
    MachinePublic Machine,
    RegisterRequest Request,
    Uri AuthUrl,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    PendingLoginState State = PendingLoginState.Waiting,
    long? NodeId = null,
    string? Error = null)
{
    /// <summary>The row's number in the change feed (0 in memory).</summary>
    public long RowId { get; init; }

    public bool IsDecided => State is PendingLoginState.Approved or PendingLoginState.Refused;
}

/// <summary>
/// The waiting interactive logins (docs/ops/ha.md): in the database for `serve` (pending_logins, shared by every
/// appliance on it), in memory for tests and tools. The store decides between two operators: <see cref="TryClaim"/>
/// succeeds for one of them only.
/// </summary>
public interface IPendingLoginRepository
{
    /// <summary>Stores a new waiting login; false when its id is taken.</summary>
    bool TryAdd(PendingLogin login);

    PendingLogin? Find(string id);

    /// <summary>The login the change feed names (its <see cref="PendingLogin.RowId"/>).</summary>
    PendingLogin? FindByRowId(long rowId);

    /// <summary>Logins still waiting at <paramref name="now"/>, oldest first.</summary>
    IReadOnlyList<PendingLogin> ListWaiting(DateTimeOffset now);

    /// <summary>Takes a waiting, unexpired login for one decision; false when another decision got there first.</summary>
    bool TryClaim(string id, DateTimeOffset now);

    /// <summary>Records the result of a claimed login: the node admitted, or the client's error.</summary>
    void Decide(string id, long? nodeId, string? refusal);

    /// <summary>Forgets logins that ran out at <paramref name="now"/>.</summary>
    int DeleteExpired(DateTimeOffset now);
}
