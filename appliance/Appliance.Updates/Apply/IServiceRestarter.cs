namespace Appliance.Updates.Apply;

/// <summary>Restarts the appliance service so it runs what `current` points at. Production: systemctl.</summary>
public interface IServiceRestarter
{
    Task RestartAsync(CancellationToken cancellationToken);

    /// <summary>Asks the running service to re-read its content (SIGHUP through `systemctl reload`), after a content switch.</summary>
    Task ReloadAsync(CancellationToken cancellationToken);
}
