using System.Text;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.Storage.Cluster;
using Appliance.Storage.Database;

namespace Appliance.State.Coordinator;

/// <summary>
/// Waiting logins in the database's <c>pending_logins</c> (migration 0006; Storage's internal PendingLoginStore), so
/// every appliance on one database lists, finds and decides the same logins. A row that no longer parses (written by
/// a newer release, or damaged) counts as absent: its client simply gets a fresh AuthURL.
/// </summary>
public sealed class StoredPendingLogins(ApplianceDatabase database) : IPendingLoginRepository
{
    private readonly PendingLoginStore _store = new(database);

    public bool TryAdd(PendingLogin login)
    {
        ArgumentNullException.ThrowIfNull(login);
        var request = Encoding.UTF8.GetString(ControlJson.Serialize(login.Request));
        return _store.TryInsert(login.Id, login.Machine.ToString(), request, login.AuthUrl.ToString(),
            login.Created.ToUnixTimeMilliseconds(), login.Expires.ToUnixTimeMilliseconds());
    }

    public PendingLogin? Find(string id) => ToLogin(_store.Find(id));

    public PendingLogin? FindByRowId(long rowId) => ToLogin(_store.FindByRowId(rowId));

    public IReadOnlyList<PendingLogin> ListWaiting(DateTimeOffset now) =>
        [.. _store.ListWaiting(now.ToUnixTimeMilliseconds()).Select(ToLogin).OfType<PendingLogin>()];

    public bool TryClaim(string id, DateTimeOffset now) => _store.TryClaim(id, now.ToUnixTimeMilliseconds());

    public void Decide(string id, long? nodeId, string? refusal) => _store.Decide(id, nodeId, refusal);

    public int DeleteExpired(DateTimeOffset now) => _store.DeleteExpired(now.ToUnixTimeMilliseconds());

    private static PendingLogin? ToLogin(PendingLoginRow? row)
    {
        if (row is null || !MachinePublic.TryParse(row.MachineKey, out var machine) || !Uri.TryCreate(row.AuthUrl, UriKind.Absolute, out var url))
        {
            return null;
        }

        RegisterRequest request;
        try
        {
            request = ControlJson.ParseRegisterRequest(Encoding.UTF8.GetBytes(row.Request));
        }
        catch (ControlProtocolException)
        {
            return null;
        }

        var state = row.State switch
        {
            PendingLoginStore.Waiting => PendingLoginState.Waiting,
            PendingLoginStore.Claimed => PendingLoginState.Claimed,
            PendingLoginStore.Approved => PendingLoginState.Approved,
            PendingLoginStore.Refused => PendingLoginState.Refused,
            _ => (PendingLoginState?)null,
        };
        return state is null
            ? null
            : new PendingLogin(row.Id, machine, request, url, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
                DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt), state.Value, row.NodeId, row.Error) { RowId = row.RowId };
    }
}
