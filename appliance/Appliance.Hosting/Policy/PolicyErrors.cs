using Appliance.Policy.Model;

namespace Appliance.Hosting.Policy;

/// <summary>How policy errors are written for operators: <c>LINE:COLUMN: reason</c>, one per line.</summary>
public static class PolicyErrors
{
    public static string Format(IEnumerable<PolicyError> errors) =>
        string.Join('\n', errors.Select(e => $"{e.Position.Line}:{e.Position.Column}: {e.Message}"));
}
