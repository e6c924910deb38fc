using System.Diagnostics;

namespace Appliance.Updates.Apply;

/// <summary>`systemctl restart UNIT`; the unit's ExecStart runs <c>current/appliance</c>, so a restart switches binaries.</summary>
public sealed class SystemdRestarter : IServiceRestarter
{
    private readonly string _unit;

    public SystemdRestarter(string unit = "appliance") => _unit = unit;

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("systemctl") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("restart");
        start.ArgumentList.Add(_unit);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start systemctl");
        var stderr = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl restart {_unit} exited {process.ExitCode}: {stderr.Trim()}");
        }
    }
}
