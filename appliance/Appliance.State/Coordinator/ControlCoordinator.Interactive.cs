using System.Collections.Concurrent;
using System.Security.Cryptography;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.Storage.Stores;

namespace Appliance.State.Coordinator;

/// <summary>
/// The interactive flow (protocol.md §4.3): no auth key → AuthURL <c>{ServerUrl}/register/{id}</c>; the client
/// posts again with Followup = that URL and the handler long-polls <see cref="PendingRegistration.Completion"/>
/// until an operator approves, or gives a fresh AuthURL when the wait or the registration runs out.
/// </summary>
public sealed partial class ControlCoordinator
{
    private readonly ConcurrentDictionary<string, PendingRegistration> _pendingRegistrations = new(StringComparer.Ordinal);

    public IReadOnlyCollection<PendingRegistration> PendingRegistrations => [.. _pendingRegistrations.Values];

    private RegisterOutcome Interactive(MachinePublic machine, RegisterRequest request)
    {
        if (!string.IsNullOrEmpty(request.Followup)
            && _pendingRegistrations.TryGetValue(IdFromUrl(request.Followup), out var pending)
            && pending.Machine == machine
            && pending.Expires > _time.GetUtcNow())
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
        var pending = new PendingRegistration(id, machine, request with { Followup = "" }, url, _time.GetUtcNow() + _options.InteractiveRegistrationLifetime);
        _pendingRegistrations[id] = pending;
        return RegisterOutcome.Success(new RegisterResponse { AuthURL = url.ToString() }, null);
    }

    /// <summary>Approves a pending registration for a user; the waiting client gets its success response.</summary>
    public ApprovalStatus ApproveRegistration(string id, string userName)
    {
        if (!_pendingRegistrations.TryGetValue(id, out var pending) || pending.Expires <= _time.GetUtcNow())
        {
            return ApprovalStatus.RegistrationNotFound;
        }

        if (_users.GetByName(userName) is not { } user)
        {
            return ApprovalStatus.UserNotFound;
        }

        if (!_pendingRegistrations.TryRemove(id, out _))
        {
            return ApprovalStatus.RegistrationNotFound;
        }

        var now = _time.GetUtcNow();
        var outcome = Admit(pending.Machine, pending.Request, user.Id, [], pending.Request.Ephemeral, null, NodeRegisterMethod.Interactive, now);
        pending.CompletionSource.TrySetResult(outcome);
        return outcome.Node is null ? ApprovalStatus.Failed : ApprovalStatus.Approved;
    }

    private static string IdFromUrl(string followup)
    {
        var slash = followup.LastIndexOf('/');
        return slash >= 0 ? followup[(slash + 1)..] : followup;
    }

    private void ExpirePendingRegistrations(DateTimeOffset now)
    {
        foreach (var (id, pending) in _pendingRegistrations)
        {
            if (pending.Expires <= now && _pendingRegistrations.TryRemove(id, out _))
            {
                pending.CompletionSource.TrySetCanceled();
            }
        }
    }
}

public enum ApprovalStatus
{
    Approved,
    RegistrationNotFound,
    UserNotFound,
    Failed,
}
