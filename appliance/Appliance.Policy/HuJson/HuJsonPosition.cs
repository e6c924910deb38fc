namespace Appliance.Policy.HuJson;

/// <summary>A 1-based line and column (in characters) in the policy text.</summary>
public readonly record struct HuJsonPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
