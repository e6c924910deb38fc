namespace Appliance.Policy.HuJson;

// The members are JSON's own type names.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "JSON type names")]
public enum HuJsonKind
{
    Null,
    False,
    True,
    Number,
    String,
    Array,
    Object,
}
