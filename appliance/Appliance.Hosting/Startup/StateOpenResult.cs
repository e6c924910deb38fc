namespace Appliance.Hosting.Startup;

/// <summary>The outcome of opening the data folder: the opened state, or the failure and an operator-facing message.</summary>
public sealed record StateOpenResult(ApplianceState? State, StateOpenFailure Failure, string Message)
{
    public static StateOpenResult Opened(ApplianceState state) => new(state, StateOpenFailure.None, "");

    public static StateOpenResult Failed(StateOpenFailure failure, string message) => new(null, failure, message);
}
