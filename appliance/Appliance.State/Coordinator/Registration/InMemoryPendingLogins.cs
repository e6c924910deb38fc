namespace Appliance.State.Coordinator;

/// <summary>Waiting logins kept in memory: one coordinator with in-memory repositories (tests, benchmarks, load generators).</summary>
public sealed class InMemoryPendingLogins : IPendingLoginRepository
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PendingLogin> _logins = new(StringComparer.Ordinal);
    private long _nextRow;

    public bool TryAdd(PendingLogin login)
    {
        ArgumentNullException.ThrowIfNull(login);
        lock (_lock)
        {
            return _logins.TryAdd(login.Id, login with { RowId = ++_nextRow });
        }
    }

    public PendingLogin? Find(string id)
    {
        lock (_lock)
        {
            return _logins.GetValueOrDefault(id);
        }
    }

    public PendingLogin? FindByRowId(long rowId)
    {
        lock (_lock)
        {
            return _logins.Values.FirstOrDefault(l => l.RowId == rowId);
        }
    }

    public IReadOnlyList<PendingLogin> ListWaiting(DateTimeOffset now)
    {
        lock (_lock)
        {
            return [.. _logins.Values.Where(l => l.State == PendingLoginState.Waiting && l.Expires > now)
                .OrderBy(l => l.Created).ThenBy(l => l.Id, StringComparer.Ordinal)];
        }
    }

    public bool TryClaim(string id, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_logins.TryGetValue(id, out var login) || login.State != PendingLoginState.Waiting || login.Expires <= now)
            {
                return false;
            }

            _logins[id] = login with { State = PendingLoginState.Claimed };
            return true;
        }
    }

    public void Decide(string id, long? nodeId, string? refusal)
    {
        lock (_lock)
        {
            if (_logins.TryGetValue(id, out var login))
            {
                _logins[id] = login with { State = nodeId is null ? PendingLoginState.Refused : PendingLoginState.Approved, NodeId = nodeId, Error = refusal };
            }
        }
    }

    public int DeleteExpired(DateTimeOffset now)
    {
        lock (_lock)
        {
            var gone = _logins.Values.Where(l => l.Expires <= now).Select(l => l.Id).ToList();
            gone.ForEach(id => _logins.Remove(id));
            return gone.Count;
        }
    }
}
