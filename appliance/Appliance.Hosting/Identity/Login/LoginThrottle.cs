using System.Collections.Concurrent;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// Failed logins per person and per source address: after <see cref="MaxFailures"/> failures within
/// <see cref="Window"/> the key is locked out for <see cref="Lockout"/> (either key locks the attempt). A success
/// clears the person's count. Counts live in memory: a restart forgets them (and costs an attacker the same).
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);
    private const int MaxTrackedKeys = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>When the lockout of any of these keys ends, or null when none is locked.</summary>
    public DateTimeOffset? LockedUntil(params string[] keys)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var key in keys)
        {
            if (_entries.TryGetValue(key, out var e) && e.LockedUntil > now && (until is null || e.LockedUntil > until))
            {
                until = e.LockedUntil;
            }
        }

        return until;
    }

    public void Failure(params string[] keys)
    {
        var now = time.GetUtcNow();
        if (_entries.Count > MaxTrackedKeys)
        {
            foreach (var (k, e) in _entries)
            {
                if (e.LockedUntil <= now && e.WindowStart + Window <= now)
                {
                    _entries.TryRemove(k, out _);
                }
            }
        }

        foreach (var key in keys)
        {
            _entries.AddOrUpdate(key, _ => new Entry(now, 1, DateTimeOffset.MinValue), (_, e) =>
            {
                var fresh = e.WindowStart + Window <= now ? new Entry(now, 1, e.LockedUntil) : e with { Failures = e.Failures + 1 };
                return fresh.Failures >= MaxFailures ? fresh with { LockedUntil = now + Lockout, Failures = 0, WindowStart = now } : fresh;
            });
        }
    }

    public void Success(string key) => _entries.TryRemove(key, out _);

    private sealed record Entry(DateTimeOffset WindowStart, int Failures, DateTimeOffset LockedUntil);
}
