namespace Appliance.Hosting.AdminConsole;

/// <summary>What a console change touches; each role may change some areas (<see cref="ConsoleRoles"/>).</summary>
public enum ConsoleArea
{
    Nodes,

    /// <summary>Pending interactive logins: approving one admits a device for a person.</summary>
    Logins,
    Routes,
    Policy,
    People,
    Keys,

    /// <summary>Offline update bundles: owners and admins only.</summary>
    Updates,
}

/// <summary>
/// The console's permissions, from the identity file's role (Tailscale's role names, kb/1138):
/// <c>owner</c> and <c>admin</c> change anything; <c>network-admin</c> nodes, routes and the policy; <c>it-admin</c>
/// people and pre-auth keys; both admins approve or reject pending logins (a login admits a device, which is
/// network-admin's, for a person, which is it-admin's; Tailscale lets IT admins approve devices too);
/// <c>auditor</c> reads every page and changes nothing. <c>billing-admin</c> and <c>member</c> have no console.
/// </summary>
public static class ConsoleRoles
{
    public static bool CanRead(string role) => role is "owner" or "admin" or "network-admin" or "it-admin" or "auditor";

    public static bool CanChange(string role, ConsoleArea area) => role switch
    {
        "owner" or "admin" => true,
        "network-admin" => area is ConsoleArea.Nodes or ConsoleArea.Routes or ConsoleArea.Policy or ConsoleArea.Logins,
        "it-admin" => area is ConsoleArea.People or ConsoleArea.Keys or ConsoleArea.Logins,
        _ => false,
    };
}
