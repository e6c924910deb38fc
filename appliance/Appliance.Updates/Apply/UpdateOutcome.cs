using Appliance.Updates.Bundles;

namespace Appliance.Updates.Apply;

public enum UpdateResult
{
    Applied,
    Refused,
    RolledBack,
    NothingToDo,
    Recovered,
}

/// <summary>What an update command did, with a sentence for the operator.</summary>
public sealed record UpdateOutcome(UpdateResult Result, string Message, BundleError Error = BundleError.None)
{
    public bool Succeeded => Result is UpdateResult.Applied or UpdateResult.NothingToDo or UpdateResult.Recovered;
}
