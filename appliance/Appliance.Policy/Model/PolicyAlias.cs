using Appliance.Policy.HuJson;
using Appliance.Policy.Net;

namespace Appliance.Policy.Model;

/// <summary>One parsed alias with where it was written. <see cref="Prefix"/> is set for <see cref="AliasKind.Prefix"/>.</summary>
public sealed record PolicyAlias(AliasKind Kind, string Text, HuJsonPosition Position, IPPrefix Prefix = default)
{
    public bool IsAutoGroup(string name) => Kind == AliasKind.AutoGroup && Text == name;

    public override string ToString() => Text;
}
