using Appliance.Policy.Model;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Role names a <see cref="PolicyUser"/> can hold. Each is what follows <c>autogroup:</c> in the policy
/// (Tailscale kb/1138 user roles; kb/1396 autogroups): <c>autogroup:owner</c> is the devices of the user
/// holding <see cref="Owner"/>, and so on. Roles are identity facts the caller supplies; the compiler only
/// resolves them.
/// </summary>
public static class UserRoles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string NetworkAdmin = "network-admin";
    public const string ItAdmin = "it-admin";
    public const string BillingAdmin = "billing-admin";
    public const string Auditor = "auditor";

    public static readonly IReadOnlySet<string> None = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The role an autogroup names, or null when it is not a role autogroup.</summary>
    public static string? FromAutoGroup(string autogroup) =>
        AutoGroups.Roles.Contains(autogroup) ? autogroup["autogroup:".Length..] : null;
}
