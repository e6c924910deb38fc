using Appliance.Policy.HuJson;

namespace Appliance.Policy.Model;

/// <summary>Why a policy was rejected, and where.</summary>
public sealed record PolicyError(HuJsonPosition Position, string Message)
{
    public override string ToString() => $"{Position}: {Message}";
}
