using System.CommandLine;
using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>
/// `appliance auth reject ID [--reason TEXT]`: refuses a waiting interactive login. The client's wait ends with the
/// reason as RegisterResponse.Error (tailscale up prints it) and the id can no longer be approved or logged in to.
/// </summary>
public static class AuthRejectCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("registration-id") { Description = "The id from `auth list`, or the whole /register/ URL the client printed." };
        var reason = new Option<string?>("--reason") { Description = "What the client is told (default: the administrator refused this login)." };
        return new Command("reject", "Refuse a waiting login: the client is told and stops waiting.") { id, reason }
            .WithServiceAction(async (parse, api, output, ct) => output.Print(
                await api.RejectRegistrationAsync(AuthCommands.RegistrationId(parse.GetRequiredValue(id)), parse.GetValue(reason), ct).ConfigureAwait(false),
                AdminJsonContext.Default.RegistrationRejectionDto,
                r => new TextTable("REJECTED", "CLIENT TOLD").Add(r.Id, r.Reason)));
    }
}
