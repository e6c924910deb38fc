using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Hosting.AdminConsole.Sessions;

/// <summary>
/// The console's sessions, in memory (a restart logs everybody out). The cookie holds 256 random bits; the table
/// is keyed by their SHA-256, so the table alone cannot be replayed as cookies. A session ends after
/// <see cref="IdleTimeout"/> without a request, after <see cref="AbsoluteLifetime"/>, or at logout.
/// Separate from the device-registration login (which keeps no session at all).
/// </summary>
public sealed class ConsoleSessions(TimeProvider time)
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);
    private const int MaxSessions = 10_000;

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>A new session for <paramref name="login"/>; returns the cookie value.</summary>
    public string Start(string login, out ConsoleSession session)
    {
        var now = time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            Sweep(now);
        }

        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        session = new ConsoleSession(login, Base64Url(RandomNumberGenerator.GetBytes(32)), now);
        _sessions[Key(token)] = session;
        return token;
    }

    /// <summary>The live session the cookie names, touched; null when unknown, idle too long or too old.</summary>
    public ConsoleSession? Find(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 64)
        {
            return null;
        }

        var key = Key(cookie);
        if (!_sessions.TryGetValue(key, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now - session.LastSeen > IdleTimeout || now - session.Created > AbsoluteLifetime)
        {
            _sessions.TryRemove(key, out _);
            return null;
        }

        session.Touch(now);
        return session;
    }

    public void End(string? cookie)
    {
        if (!string.IsNullOrEmpty(cookie) && cookie.Length <= 64)
        {
            _sessions.TryRemove(Key(cookie), out _);
        }
    }

    /// <summary>Ends every session of <paramref name="login"/> (disabled or removed from the identity file).</summary>
    public void EndAll(string login)
    {
        foreach (var (key, session) in _sessions)
        {
            if (session.Login == login)
            {
                _sessions.TryRemove(key, out _);
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, session) in _sessions)
        {
            if (now - session.LastSeen > IdleTimeout || now - session.Created > AbsoluteLifetime)
            {
                _sessions.TryRemove(key, out _);
            }
        }
    }

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
