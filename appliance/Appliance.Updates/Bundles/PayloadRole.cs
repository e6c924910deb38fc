namespace Appliance.Updates.Bundles;

/// <summary>
/// What a bundle file is for. Each role has one fixed name inside the bundle, so the names an importer accepts
/// are a closed list and a manifest cannot point a file anywhere else.
/// </summary>
public static class PayloadRole
{
    public const string ApplianceLinuxX64 = "appliance-linux-x64";
    public const string ApplianceLinuxArm64 = "appliance-linux-arm64";
    public const string Policy = "policy";
    public const string Identity = "identity";
    public const string DerpMap = "derp-map";
    public const string CaTrust = "ca-trust";

    /// <summary>Role → name inside the bundle. Content names are also the file names in the content folder.</summary>
    public static readonly IReadOnlyDictionary<string, string> NameOf = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ApplianceLinuxX64] = "linux-x64/appliance",
        [ApplianceLinuxArm64] = "linux-arm64/appliance",
        [Policy] = "content/policy.hujson",
        [Identity] = "content/identity.json",
        [DerpMap] = "content/derp-map.json",
        [CaTrust] = "content/ca-trust.pem",
    };

    public static bool IsBinary(string role) => role is ApplianceLinuxX64 or ApplianceLinuxArm64;

    public static bool IsContent(string role) => role is Policy or Identity or DerpMap or CaTrust;

    /// <summary>The binary role for a process architecture, or null if the appliance does not ship for it.</summary>
    public static string? BinaryFor(System.Runtime.InteropServices.Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => ApplianceLinuxX64,
        System.Runtime.InteropServices.Architecture.Arm64 => ApplianceLinuxArm64,
        _ => null,
    };
}
