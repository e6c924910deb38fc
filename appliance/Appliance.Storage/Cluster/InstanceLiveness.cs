using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Appliance.Storage.Database;
using Npgsql;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Fast detection of a crashed instance (issue 17, docs/ops/ha.md): each instance holds a session-level advisory
/// lock on a connection of its own for as long as it runs. PostgreSQL releases a session lock the moment its
/// connection ends, and the kernel closes the sockets of a process killed with SIGKILL, so a crashed instance's lock
/// leaves pg_locks within milliseconds, long before its lease in <c>ha_instances</c> runs out. <see cref="RunAsync"/>
/// takes the lock and then, every <see cref="Tick"/>, reports on that same connection which registered instances
/// hold theirs. What to conclude from the reports (only a lock seen held and then missing on one connection means a
/// crash: a PostgreSQL restart drops every lock and this connection with them) is State's CrashWatch.
/// </summary>
internal sealed class InstanceLiveness
{
    /// <summary>
    /// First key of <c>pg_advisory_lock(int, int)</c> (pg_locks.classid): "aplv", appliance liveness, so the locks
    /// are recognisable there. The two-int form never meets the migration's one-bigint lock (objsubid 2, not 1).
    /// </summary>
    public const int LockSpace = 0x61706c76;

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;

    private InstanceLiveness(NpgsqlDataSource source, string instanceId, TimeProvider time, TimeSpan tick)
    {
        _source = source;
        _time = time;
        InstanceId = instanceId;
        Tick = tick;
    }

    public string InstanceId { get; }

    /// <summary>How often the locks are read (each read is one cheap query on the lock's own connection).</summary>
    public TimeSpan Tick { get; }

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Liveness for a PostgreSQL database, looking every <paramref name="tick"/>, or null for SQLite (one instance: nobody to watch).</summary>
    public static InstanceLiveness? For(ApplianceDatabase database, TimeProvider time, TimeSpan tick)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        return database.PostgresSource is { } source ? new InstanceLiveness(source, database.InstanceId, time, tick) : null;
    }

    /// <summary>
    /// The second key of an instance's lock: 31 bits of SHA-256 of its id. Two live instances whose keys collide
    /// (about one in a billion for a pair) only mean the second cannot take its lock; it is then watched by its lease.
    /// </summary>
    public static int LockKey(string instanceId)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(instanceId))) & 0x7FFFFFFF);
    }

    /// <summary>
    /// Runs until <paramref name="stopping"/> is cancelled: connects, takes this instance's lock, and reports every
    /// <see cref="Tick"/>. A lost connection is reported to <paramref name="lost"/> and retried after
    /// <see cref="RetryDelay"/> with a new <see cref="LivenessReport.Epoch"/>; it never ends the process. At a clean
    /// stop the lock is released before the connection goes back to the pool.
    /// </summary>
    public async Task RunAsync(Action<LivenessReport> report, Action<Exception> lost, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(lost);
        var epoch = 0L;
        var key = LockKey(InstanceId);
        while (!stopping.IsCancellationRequested)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await _source.OpenConnectionAsync(stopping).ConfigureAwait(false);
                var holdsOwn = await TryLockAsync(connection, key, stopping).ConfigureAwait(false);
                epoch++;
                while (true)
                {
                    var instances = await ReadAsync(connection, stopping).ConfigureAwait(false);
                    report(new LivenessReport(epoch, holdsOwn, instances));
                    await Task.Delay(Tick, _time, stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                if (connection is not null)
                {
                    await UnlockAsync(connection, key).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
            {
                lost(e);
                try
                {
                    await Task.Delay(RetryDelay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, int key, CancellationToken stopping)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@space, @key);", connection);
        command.Parameters.AddWithValue("space", LockSpace);
        command.Parameters.AddWithValue("key", key);
        return await command.ExecuteScalarAsync(stopping).ConfigureAwait(false) is true;
    }

    /// <summary>Every registered instance and whether its lock is held now (locks of this database only).</summary>
    private static async Task<IReadOnlyDictionary<string, bool>> ReadAsync(NpgsqlConnection connection, CancellationToken stopping)
    {
        var held = new HashSet<long>();
        await using (var locks = new NpgsqlCommand(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 " +
            "AND classid = @space::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database());",
            connection))
        {
            locks.Parameters.AddWithValue("space", (long)LockSpace);
            await using var reader = await locks.ExecuteReaderAsync(stopping).ConfigureAwait(false);
            while (await reader.ReadAsync(stopping).ConfigureAwait(false))
            {
                held.Add(reader.GetInt64(0));
            }
        }

        var instances = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using (var registered = new NpgsqlCommand("SELECT instance_id FROM ha_instances;", connection))
        {
            await using var reader = await registered.ExecuteReaderAsync(stopping).ConfigureAwait(false);
            while (await reader.ReadAsync(stopping).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                instances[id] = held.Contains(LockKey(id));
            }
        }

        return instances;
    }

    /// <summary>Best effort: a connection that cannot be told closes anyway, and its lock goes with it.</summary>
    private static async Task UnlockAsync(NpgsqlConnection connection, int key)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@space, @key);", connection);
            command.Parameters.AddWithValue("space", LockSpace);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
        }
    }
}

/// <summary>One look at the liveness locks.</summary>
/// <param name="Epoch">Which connection saw it: it grows with every (re)connect, and a lock seen on an earlier
/// connection says nothing about this one (a PostgreSQL restart drops every lock).</param>
/// <param name="HoldsOwnLock">False when another session held this instance's key (a hash collision): others then
/// notice a crash of this instance only when its lease runs out.</param>
/// <param name="Instances">Every instance in <c>ha_instances</c>, and whether it holds its lock.</param>
internal sealed record LivenessReport(long Epoch, bool HoldsOwnLock, IReadOnlyDictionary<string, bool> Instances);
