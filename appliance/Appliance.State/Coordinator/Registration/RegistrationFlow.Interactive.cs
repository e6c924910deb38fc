using System.Collections.Concurrent;
using System.Security.Cryptography;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>
/// The interactive flow (docs/wire/control.md "/machine/register"; tailscale control/controlclient/direct.go): no auth key → AuthURL <c>{ServerUrl}/register/{id}</c>; the client
/// posts again with Followup = that URL and the handler long-polls <see cref="PendingRegistration.Completion"/>
/// until an operator approves, or gives a fresh AuthURL when the wait or the registration runs out.
/// </summary>
public sealed partial class RegistrationFlow
{
    private readonly ConcurrentDictionary<string, PendingRegistration> _pending = new(StringComparer.Ordinal);

    public IReadOnlyCollection<PendingRegistration> PendingRegistrations => [.. _pending.Values];

    /// <summary>Registrations still waiting (not run out), oldest first: what <c>appliance auth list</c> shows.</summary>
    public IReadOnlyList<PendingRegistration> ListPending()
    {
        var now = _time.GetUtcNow();
        return [.. _pending.Values.Where(p => p.Expires > now && !p.IsApproved).OrderBy(p => p.Created).ThenBy(p => p.Id, StringComparer.Ordinal)];
    }

    private RegisterOutcome Interactive(MachinePublic machine, RegisterRequest request)
    {
        if (!string.IsNullOrEmpty(request.Followup)
            && _pending.TryGetValue(IdFromUrl(request.Followup), out var pending)
            && pending.Machine == machine
            && (pending.Expires > _time.GetUtcNow() || pending.IsApproved))
        {
            return new RegisterOutcome(RegisterStatus.Ok, null, null, null) { Pending = pending };
        }

        return NewAuthUrl(machine, request);
    }

    /// <summary>Starts (or restarts) an interactive registration and returns its AuthURL response.</summary>
    public RegisterOutcome NewAuthUrl(MachinePublic machine, RegisterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var url = new Uri(_options.ServerUrl, "register/" + id);
        var now = _time.GetUtcNow();
        var pending = new PendingRegistration(id, machine, request with { Followup = "" }, url, now, now + _options.InteractiveRegistrationLifetime);
        _pending[id] = pending;
        return RegisterOutcome.Success(new RegisterResponse { AuthURL = url.ToString() }, null);
    }

    /// <summary>Approves a pending registration for a user; the waiting client gets its success response.</summary>
    public ApprovalStatus ApproveRegistration(string id, string userName) => Approve(id, userName).Status;

    /// <summary>
    /// Approves a pending registration for a user and says which node it made. The id may also be given as the
    /// whole AuthURL the client printed. The waiting client's Followup poll completes with the success response.
    /// </summary>
    public RegistrationApproval Approve(string id, string userName)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(userName);
        id = IdFromUrl(id.Trim());
        if (!_pending.TryGetValue(id, out var pending) || pending.Expires <= _time.GetUtcNow() || pending.IsApproved)
        {
            return new RegistrationApproval(ApprovalStatus.RegistrationNotFound, null);
        }

        if (_users.GetByName(userName) is not { } user)
        {
            return new RegistrationApproval(ApprovalStatus.UserNotFound, null);
        }

        // Claimed, not removed: the entry stays until it runs out, so a Followup poll that reaches the server only
        // after the approval (the client posts it right after the AuthURL, but it may still be in flight) finds the
        // completed result instead of being handed a fresh AuthURL.
        if (!pending.TryClaim())
        {
            return new RegistrationApproval(ApprovalStatus.RegistrationNotFound, null);
        }

        var now = _time.GetUtcNow();
        var outcome = Admit(pending.Machine, pending.Request, user.Id, [], pending.Request.Ephemeral, null, RegistrationMethod.Interactive, now);
        pending.CompletionSource.TrySetResult(outcome);
        return new RegistrationApproval(outcome.Node is null ? ApprovalStatus.Failed : ApprovalStatus.Approved, outcome.Node);
    }

    /// <summary>
    /// Refuses a waiting login: the client's Followup poll completes with RegisterResponse.Error (tailscale up prints
    /// it and stops) and the id can no longer be approved. False when there is no such waiting registration.
    /// </summary>
    public bool Reject(string id, string reason)
    {
        ArgumentNullException.ThrowIfNull(id);
        id = IdFromUrl(id.Trim());
        if (!_pending.TryGetValue(id, out var pending) || pending.Expires <= _time.GetUtcNow() || !pending.TryClaim())
        {
            return false;
        }

        pending.CompletionSource.TrySetResult(RegisterOutcome.Success(new RegisterResponse { Error = reason }, null));
        return true;
    }

    /// <summary>A registration still waiting for approval (not run out, not approved or rejected), by id or AuthURL.</summary>
    public PendingRegistration? FindPending(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _pending.TryGetValue(IdFromUrl(id.Trim()), out var pending) && pending.Expires > _time.GetUtcNow() && !pending.IsApproved
            ? pending
            : null;
    }

    private static string IdFromUrl(string followup)
    {
        var slash = followup.LastIndexOf('/');
        return slash >= 0 ? followup[(slash + 1)..] : followup;
    }

    /// <summary>Drops registrations that ran out (the heartbeat calls this); their waiting polls are cancelled.</summary>
    internal void ExpirePending(DateTimeOffset now)
    {
        foreach (var (id, pending) in _pending)
        {
            if (pending.Expires <= now && _pending.TryRemove(id, out _))
            {
                pending.CompletionSource.TrySetCanceled();
            }
        }
    }
}
