using Appliance.Storage.Database;
using Npgsql;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Listens on PostgreSQL's <c>appliance_changes</c> channel (NOTIFY from the 0004 triggers) on a dedicated
/// connection and wakes its owner for every notification, after every (re)connect (the owner then catches up by
/// sequence, so notifications sent while the connection was down are not lost) and every <see cref="PollInterval"/>
/// without one (a safety net that costs one indexed read). A lost connection is retried after
/// <see cref="RetryDelay"/>, for as long as the owner runs; it never ends the process.
/// </summary>
internal sealed class ChangeListener
{
    public const string Channel = "appliance_changes";

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;

    private ChangeListener(NpgsqlDataSource source, TimeProvider time)
    {
        _source = source;
        _time = time;
    }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A listener for a PostgreSQL database, or null for SQLite (one instance: nothing to listen to).</summary>
    public static ChangeListener? For(ApplianceDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.PostgresSource is { } source ? new ChangeListener(source, time) : null;
    }

    /// <summary>
    /// Runs until <paramref name="stopping"/> is cancelled. <paramref name="wake"/> is called with the listener's
    /// state (true: connected and listening; false: the connection failed, with the reason in <paramref name="lost"/>).
    /// </summary>
    public async Task RunAsync(Action<bool> wake, Action<Exception> lost, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(wake);
        ArgumentNullException.ThrowIfNull(lost);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _source.OpenConnectionAsync(stopping).ConfigureAwait(false);
                connection.Notification += (_, _) => wake(true);
                await using (var listen = connection.CreateCommand())
                {
                    listen.CommandText = $"LISTEN {Channel};";
                    await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                }

                // Listening now: whatever committed before this point is read by the catch-up this wake starts.
                wake(true);
                while (!stopping.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(PollInterval, stopping).ConfigureAwait(false))
                    {
                        wake(true);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or InvalidOperationException or TimeoutException)
            {
                lost(e);
                wake(false);
                try
                {
                    await Task.Delay(RetryDelay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
