using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Http;

namespace Appliance.Control.Handlers;

/// <summary>
/// <c>POST /machine/register</c> (docs/wire/control.md "/machine/register"). Decisions live in <see cref="ControlCoordinator.Register"/>;
/// this adds transport checks and the interactive Followup long poll, which ends when an operator approves or
/// after <see cref="CoordinatorOptions.FollowupWait"/> with a fresh AuthURL.
/// </summary>
internal static class RegisterHandler
{
    public static async Task HandleAsync(HttpContext context, ControlCoordinator coordinator)
    {
        if (await ControlRequest.ReadAsync(context, static body => ControlJson.ParseRegisterRequest(body), static r => r.Version).ConfigureAwait(false) is not { } read)
        {
            return;
        }

        var (noise, request) = read;

        var outcome = coordinator.Register(noise.ClientMachineKey, request);
        if (outcome.Pending is { } pending)
        {
            outcome = await WaitForApprovalAsync(context, coordinator, pending).ConfigureAwait(false);
        }

        ControlRequest.Metrics(context)?.Registration(Result(outcome));
        switch (outcome.Status)
        {
            case RegisterStatus.Ok:
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.Body.WriteAsync(ControlJson.Serialize(outcome.Response!), context.RequestAborted).ConfigureAwait(false);
                break;
            case RegisterStatus.Unauthorized:
                await ControlRequest.TextAsync(context, StatusCodes.Status401Unauthorized, outcome.Message!).ConfigureAwait(false);
                break;
            case RegisterStatus.Conflict:
                await ControlRequest.TextAsync(context, StatusCodes.Status409Conflict, outcome.Message!).ConfigureAwait(false);
                break;
            case RegisterStatus.Unavailable:
                await ControlRequest.StorageUnavailableAsync(context, outcome.Message!).ConfigureAwait(false);
                break;
            default:
                await ControlRequest.TextAsync(context, StatusCodes.Status400BadRequest, outcome.Message ?? "bad request").ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The result label of appliance.control.registrations (docs/ops/metrics.md lists the values).</summary>
    private static string Result(RegisterOutcome outcome) => outcome.Status switch
    {
        RegisterStatus.Ok when outcome.Response is { Error.Length: > 0 } => "refused",
        RegisterStatus.Ok when outcome.Response is { AuthURL.Length: > 0 } => "auth_url",
        RegisterStatus.Ok when outcome.Response is { NodeKeyExpired: true } => "key_expired",
        RegisterStatus.Ok => "accepted",
        RegisterStatus.Unauthorized => "unauthorized",
        RegisterStatus.Conflict => "conflict",
        RegisterStatus.AddressesExhausted => "addresses_exhausted",
        RegisterStatus.Unavailable => "storage_unavailable",
        _ => "invalid",
    };

    private static async Task<RegisterOutcome> WaitForApprovalAsync(HttpContext context, ControlCoordinator coordinator, PendingRegistration pending)
    {
        var wait = Task.Delay(coordinator.Options.FollowupWait, coordinator.Time, context.RequestAborted);
        try
        {
            if (await Task.WhenAny(pending.Completion, wait).ConfigureAwait(false) == pending.Completion && pending.Completion.IsCompletedSuccessfully)
            {
                return await pending.Completion.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        context.RequestAborted.ThrowIfCancellationRequested();
        return coordinator.NewAuthUrl(pending.Machine, pending.Request);
    }
}
