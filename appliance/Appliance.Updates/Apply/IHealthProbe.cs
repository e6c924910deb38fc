using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>Decides whether the restarted service became healthy within the time allowed.</summary>
public interface IHealthProbe
{
    Task<bool> WaitHealthyAsync(ApplianceVersion expected, TimeSpan timeout, CancellationToken cancellationToken);
}
