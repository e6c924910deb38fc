using System.Diagnostics;

namespace Appliance.Updates.Apply;

/// <summary>
/// `systemctl restart UNIT`; the unit's ExecStart runs <c>current/appliance</c>, so a restart switches binaries.
/// `systemctl reload UNIT` sends the unit's ExecReload (SIGHUP), on which the server re-reads the update content.
/// A restart is deliberate, so systemd's failed state and start counter are cleared first (`reset-failed`): a release
/// that crashed in a loop may have used up a start limit an operator set on the unit, and the restart that rolls it
/// back must not be refused with "start of the service was attempted too often".
/// </summary>
public sealed class SystemdRestarter : IServiceRestarter
{
    private readonly string _unit;

    public SystemdRestarter(string unit = "appliance") => _unit = unit;

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await RunAsync("reset-failed", cancellationToken).ConfigureAwait(false);
        await RunAsync("restart", cancellationToken).ConfigureAwait(false);
    }

    public Task ReloadAsync(CancellationToken cancellationToken) => RunAsync("reload", cancellationToken);

    private async Task RunAsync(string verb, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("systemctl") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(_unit);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start systemctl");
        var stderr = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl {verb} {_unit} exited {process.ExitCode}: {stderr.Trim()}");
        }
    }
}
