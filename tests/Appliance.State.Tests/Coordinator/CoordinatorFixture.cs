using System.Collections.Immutable;
using Appliance.State.Identity;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Microsoft.Extensions.Time.Testing;
using Appliance.TestKit.Time;

namespace Appliance.State.Tests.Coordinator;

/// <summary>A coordinator on fake time with in-memory users, keys and nodes.</summary>
internal sealed class CoordinatorFixture : IDisposable
{
    public CoordinatorFixture(TimeSpan? coalesce = null, int queueCapacity = 64, Action<CoordinatorOptions>? configure = null)
    {
        Options = new CoordinatorOptions { CoalesceWindow = coalesce ?? TimeSpan.Zero, SessionQueueCapacity = queueCapacity };
        configure?.Invoke(Options);
        Users.Add(new TailnetUser(1, "alice", "Alice", null, Time.GetUtcNow()));
        Coordinator = new ControlCoordinator(Options, Repository, Users, Keys, StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), Time, pendingLogins: Logins);
        Coordinator.Start();
    }

    public FakeTimeProvider Time { get; } = TestTime.Create();

    public CoordinatorOptions Options { get; }

    public InMemoryNodeRepository Repository { get; } = new();

    /// <summary>The waiting interactive logins (a second coordinator given the same store acts as a second appliance on one database).</summary>
    public InMemoryPendingLogins Logins { get; } = new();

    public FakeUsers Users { get; } = new();

    public FakeKeys Keys { get; } = new();

    public ControlCoordinator Coordinator { get; }

    public (MachinePublic Machine, NodePublic Node, RegisterOutcome Outcome) Register(string hostname, string key = "good", bool ephemeral = false)
    {
        var machine = MachinePrivate.Generate().Public;
        var node = NodePrivate.Generate().Public;
        var outcome = Coordinator.Register(machine, new RegisterRequest
        {
            Version = 133,
            NodeKey = node,
            Auth = new RegisterResponseAuth { AuthKey = key },
            Hostinfo = new Hostinfo { Hostname = hostname },
            Ephemeral = ephemeral,
        });
        return (machine, node, outcome);
    }

    public void Dispose() => Coordinator.Dispose();
}

internal sealed class FakeUsers : IUserDirectory
{
    private readonly List<TailnetUser> _users = [];

    public void Add(TailnetUser user) => _users.Add(user);

    public TailnetUser? Find(long id) => _users.Find(u => u.Id == id);

    public TailnetUser? GetByName(string name) => _users.Find(u => u.Name == name);

    public IReadOnlyList<TailnetUser> List() => [.. _users];
}

/// <summary>
/// Keys: "good" (reusable), "once" (single use), "expired", "tagged" (tag:server), "ephemeral"; anything else is
/// unknown. A use is counted only when the node write it comes with succeeds, as the database's transaction does.
/// </summary>
internal sealed class FakeKeys : IPreAuthKeyAuthority
{
    private const long OnceId = 2;
    private readonly Lock _claims = new();
    private int _onceUses;

    /// <summary>How many nodes the single-use key "once" has registered.</summary>
    public int OnceUses => Volatile.Read(ref _onceUses);

    public PreAuthKeyUse Check(string presentedKey, DateTimeOffset now)
    {
        PreAuthKey Key(long id, long? user, bool reusable = true, bool ephemeral = false, string[]? tags = null, DateTimeOffset? expires = null) =>
            new(id, presentedKey, user, [.. tags ?? []], reusable, ephemeral, 1, expires ?? now.AddDays(1), now, null);

        return presentedKey switch
        {
            "good" => new(PreAuthKeyCheck.Valid, Key(1, 1)),
            "once" => OnceUses == 0
                ? new(PreAuthKeyCheck.Valid, Key(OnceId, 1, reusable: false))
                : new(PreAuthKeyCheck.AlreadyUsed, Key(OnceId, 1, reusable: false)),
            "expired" => new(PreAuthKeyCheck.Expired, Key(3, 1, expires: now.AddDays(-1))),
            "tagged" => new(PreAuthKeyCheck.Valid, Key(4, null, tags: ["tag:server"])),
            "ephemeral" => new(PreAuthKeyCheck.Valid, Key(5, 1, ephemeral: true)),
            _ => new(PreAuthKeyCheck.NotFound, null),
        };
    }

    public ClaimedWrite<T> WriteClaiming<T>(PreAuthKey key, DateTimeOffset now, Func<WriteResult<T>> write)
        where T : class
    {
        if (key.Id != OnceId)
        {
            return new(PreAuthKeyCheck.Valid, write());
        }

        lock (_claims)
        {
            if (_onceUses > 0)
            {
                return ClaimedWrite.Refused<T>(PreAuthKeyCheck.AlreadyUsed);
            }

            var written = write();
            if (written.IsOk)
            {
                Interlocked.Increment(ref _onceUses);
            }

            return new(PreAuthKeyCheck.Valid, written);
        }
    }
}

/// <summary>Reads decoded messages from a session stream; a read that times out stays pending for the next call.</summary>
internal sealed class StreamProbe(MapSession session) : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly MapMessageReader _reader = new(session.Zstd);
    private IAsyncEnumerator<ReadOnlyMemory<byte>>? _stream;
    private Task<bool>? _pending;

    /// <summary>The next message, or null after <paramref name="timeoutMs"/>. The default is generous (a loaded CI machine);
    /// a test that expects nothing passes a short timeout.</summary>
    public async Task<MapResponse?> Next(int timeoutMs = 5000)
    {
        _stream ??= session.ReadAllAsync(_cancel.Token).GetAsyncEnumerator();
        _pending ??= _stream.MoveNextAsync().AsTask();
        if (await Task.WhenAny(_pending, Task.Delay(timeoutMs)).ConfigureAwait(false) != _pending)
        {
            return null;
        }

        var more = await _pending.ConfigureAwait(false);
        _pending = null;
        if (!more)
        {
            Ended = true;
            return null;
        }

        var buffer = new System.Buffers.ReadOnlySequence<byte>(_stream.Current);
        Assert.True(_reader.TryRead(ref buffer, out var json));
        return ControlJson.ParseMapResponse(json);
    }

    public bool Ended { get; private set; }

    /// <summary>
    /// Asks for the next message without waiting for it: when this returns, the stream's reader has either produced
    /// one or is parked waiting (an async iterator runs synchronously up to its first incomplete await).
    /// </summary>
    public void StartReading()
    {
        _stream ??= session.ReadAllAsync(_cancel.Token).GetAsyncEnumerator();
        _pending ??= _stream.MoveNextAsync().AsTask();
    }

    /// <summary>True when a message (or the end) has arrived and not been taken with <see cref="Next"/>.</summary>
    public bool HasArrived => _pending is { IsCompleted: true };

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        if (_stream is not null)
        {
            try
            {
                if (_pending is not null)
                {
                    await _pending.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }

            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        _cancel.Dispose();
    }
}
