using Appliance.State.Identity;

namespace Appliance.Cli;

/// <summary>Reshapes an admin API answer for display (filters, views) and keeps a failure as it is.</summary>
public static class OperationResultMapping
{
    public static OperationResult<TOut> Map<TIn, TOut>(this OperationResult<TIn> result, Func<TIn, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return result.IsOk ? OperationResult.Ok(map(result.Value!)) : new OperationResult<TOut>(result.Status, default, result.Error);
    }
}
