namespace Appliance.Updates.Apply;

/// <summary>Restarts the appliance service so it runs what `current` points at. Production: systemctl.</summary>
public interface IServiceRestarter
{
    Task RestartAsync(CancellationToken cancellationToken);
}
