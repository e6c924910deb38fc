namespace Appliance.Policy.Model;

/// <summary>The autogroups Tailscale's policy language defines (kb/1396), and where each may appear.</summary>
public static class AutoGroups
{
    public const string Internet = "autogroup:internet";
    public const string Member = "autogroup:member";
    public const string Tagged = "autogroup:tagged";
    public const string Self = "autogroup:self";
    public const string NonRoot = "autogroup:nonroot";
    public const string DangerAll = "autogroup:danger-all";
    public const string Admin = "autogroup:admin";
    public const string Owner = "autogroup:owner";
    public const string ItAdmin = "autogroup:it-admin";
    public const string NetworkAdmin = "autogroup:network-admin";
    public const string BillingAdmin = "autogroup:billing-admin";
    public const string Auditor = "autogroup:auditor";
    public const string Shared = "autogroup:shared";

    /// <summary>Role autogroups: the devices of users holding that role (PolicyUser.Roles); nobody when no user does.</summary>
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(StringComparer.Ordinal)
    {
        Admin, Owner, ItAdmin, NetworkAdmin, BillingAdmin, Auditor,
    };

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Internet, Member, Tagged, Self, NonRoot, DangerAll, Admin, Owner, ItAdmin, NetworkAdmin, BillingAdmin, Auditor, Shared,
    };
}
