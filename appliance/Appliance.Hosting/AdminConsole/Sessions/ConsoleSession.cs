namespace Appliance.Hosting.AdminConsole.Sessions;

/// <summary>
/// One logged-in browser. <see cref="Csrf"/> is the synchronizer token every console form carries. The person's
/// role is not kept here: each request reads it from the live identity file, so a role change or a disabled person
/// takes effect on the next click.
/// </summary>
public sealed class ConsoleSession(string login, string csrf, DateTimeOffset created)
{
    private long _lastSeenTicks = created.UtcTicks;
    private string? _flash;

    public string Login { get; } = login;

    public string Csrf { get; } = csrf;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    internal void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastSeenTicks, now.UtcTicks);

    /// <summary>A message for the next page shown (after a redirect), shown once.</summary>
    public void SetFlash(string message) => Volatile.Write(ref _flash, message);

    public string? TakeFlash() => Interlocked.Exchange(ref _flash, null);
}
