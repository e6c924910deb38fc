using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Appliance.Storage.Database;
using Appliance.Storage.Sessions;

namespace Appliance.Hosting.AdminConsole.Sessions;

/// <summary>
/// The console's sessions, kept in the database (<see cref="ConsoleSessionStore"/>, migration 0005) so that a
/// session started on one appliance works on every appliance of the same database and survives a restart. The
/// cookie holds 256 random bits; the table is keyed by their SHA-256, so the table alone cannot be replayed as
/// cookies. A session ends after <see cref="IdleTimeout"/> without a request, after <see cref="AbsoluteLifetime"/>,
/// or at logout, on every instance at once: every request reads its row. <c>last_seen</c> is written at most once
/// per <see cref="TouchInterval"/>, so a page view is one read, not a write. The flash message after a redirect
/// stays in this instance's memory (losing it on another instance loses a sentence, nothing else).
/// A database that cannot be read counts as no session (the person is asked to log in again).
/// </summary>
public sealed class ConsoleSessions(ApplianceDatabase database, TimeProvider time)
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);
    private const int MaxCached = 10_000;

    private readonly ConsoleSessionStore _store = new(database);
    private readonly ConcurrentDictionary<string, ConsoleSession> _cached = new(StringComparer.Ordinal);

    /// <summary>Live and expired-but-not-swept sessions in the database, on every instance.</summary>
    public long Count => _store.Count();

    /// <summary>A new session for <paramref name="login"/>; returns the cookie value.</summary>
    /// <exception cref="DbException">The database refused the write (the caller says so; nobody is logged in).</exception>
    public string Start(string login, out ConsoleSession session)
    {
        var now = time.GetUtcNow();
        _store.DeleteExpired(now - IdleTimeout, now - AbsoluteLifetime);
        if (_cached.Count >= MaxCached)
        {
            _cached.Clear();
        }

        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        session = new ConsoleSession(login, Base64Url(RandomNumberGenerator.GetBytes(32)), now);
        _store.Add(new ConsoleSessionRecord(Key(token), login, session.Csrf, now, now));
        _cached[Key(token)] = session;
        return token;
    }

    /// <summary>The live session the cookie names, touched; null when unknown, ended, idle too long or too old.</summary>
    public ConsoleSession? Find(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 64)
        {
            return null;
        }

        var key = Key(cookie);
        ConsoleSessionRecord? row;
        try
        {
            row = _store.Find(key);
        }
        catch (DbException)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (row is null || now - row.LastSeen > IdleTimeout || now - row.CreatedAt > AbsoluteLifetime)
        {
            _cached.TryRemove(key, out _);
            if (row is not null)
            {
                TryWrite(() => _store.Delete(key));
            }

            return null;
        }

        var session = _cached.GetOrAdd(key, _ => new ConsoleSession(row.Login, row.Csrf, row.CreatedAt));
        if (session.Login != row.Login || session.Csrf != row.Csrf)
        {
            session = _cached[key] = new ConsoleSession(row.Login, row.Csrf, row.CreatedAt);
        }

        session.Touch(now);
        if (now - row.LastSeen >= TouchInterval)
        {
            TryWrite(() => _store.Touch(key, now));
        }

        return session;
    }

    public void End(string? cookie)
    {
        if (!string.IsNullOrEmpty(cookie) && cookie.Length <= 64)
        {
            var key = Key(cookie);
            _cached.TryRemove(key, out _);
            TryWrite(() => _store.Delete(key));
        }
    }

    /// <summary>Ends every session of <paramref name="login"/> (disabled or removed from the identity file).</summary>
    public void EndAll(string login)
    {
        foreach (var (key, session) in _cached)
        {
            if (session.Login == login)
            {
                _cached.TryRemove(key, out _);
            }
        }

        TryWrite(() => _store.DeleteLogin(login));
    }

    /// <summary>Housekeeping writes: a failure leaves a row the next read refuses anyway (its times are checked).</summary>
    private static void TryWrite(Action write)
    {
        try
        {
            write();
        }
        catch (DbException)
        {
        }
    }

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
