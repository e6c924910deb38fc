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
/// <para>
/// The logins are stored (<see cref="IPendingLoginRepository"/>; `pending_logins`, shared by every appliance on one
/// database, docs/ops/ha.md), so any instance lists, approves or refuses them and a client may re-ask any instance
/// with its Followup. Which instance holds a client's poll is local: <c>_waiters</c>. A decision made here completes
/// the waiter here; one made on another instance reaches it through the change feed (<see cref="ApplyStoredLogin"/>).
/// The store decides between two operators (one claim wins).
/// </para>
/// </summary>
public sealed partial class RegistrationFlow
{
    /// <summary>How often the heartbeat deletes logins that ran out (a database write; no need for every beat).</summary>
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, PendingRegistration> _waiters = new(StringComparer.Ordinal);
    private long _lastPurge;

    /// <summary>The logins this instance holds (or held) a Followup poll on, until they run out.</summary>
    public IReadOnlyCollection<PendingRegistration> PendingRegistrations => [.. _waiters.Values];

    /// <summary>Registrations still waiting (not run out, not decided) on any instance, oldest first: what <c>appliance auth list</c> shows.</summary>
    public IReadOnlyList<PendingRegistration> ListPending() => [.. _logins.ListWaiting(_time.GetUtcNow()).Select(View)];

    private RegisterOutcome Interactive(MachinePublic machine, RegisterRequest request)
    {
        if (!string.IsNullOrEmpty(request.Followup) && Waiter(IdFromUrl(request.Followup), machine) is { } pending)
        {
            return new RegisterOutcome(RegisterStatus.Ok, null, null, null) { Pending = pending };
        }

        return NewAuthUrl(machine, request);
    }

    /// <summary>Starts (or restarts) an interactive registration and returns its AuthURL response.</summary>
    public RegisterOutcome NewAuthUrl(MachinePublic machine, RegisterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Guarded("start interactive login", () => StoreNewLogin(machine, request));
    }

    private RegisterOutcome StoreNewLogin(MachinePublic machine, RegisterRequest request)
    {
        var now = _time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var url = new Uri(_options.ServerUrl, "register/" + id);

            // Stored without the Followup and without any auth: what an approval admits is the machine and its request.
            var login = new PendingLogin(id, machine, request with { Followup = "", Auth = null }, url, now, now + _options.InteractiveRegistrationLifetime);
            if (_logins.TryAdd(login))
            {
                _waiters[id] = new PendingRegistration(login);
                return RegisterOutcome.Success(new RegisterResponse { AuthURL = url.ToString() }, null);
            }

            // 128 random bits collided with a stored id (the table's unique constraint says so): draw again.
            if (attempt == 3)
            {
                throw new InvalidOperationException("no unused registration id after three draws");
            }
        }
    }

    /// <summary>Approves a pending registration for a user; the waiting client gets its success response.</summary>
    public ApprovalStatus ApproveRegistration(string id, string userName) => Approve(id, userName).Status;

    /// <summary>
    /// Approves a pending registration for a user and says which node it made. The id may also be given as the
    /// whole AuthURL the client printed. The waiting client's Followup poll (on this or another instance) completes
    /// with the success response.
    /// </summary>
    public RegistrationApproval Approve(string id, string userName)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(userName);
        id = IdFromUrl(id.Trim());
        var now = _time.GetUtcNow();
        if (_logins.Find(id) is not { State: PendingLoginState.Waiting } login || login.Expires <= now)
        {
            return new RegistrationApproval(ApprovalStatus.RegistrationNotFound, null);
        }

        if (_users.GetByName(userName) is not { } user)
        {
            return new RegistrationApproval(ApprovalStatus.UserNotFound, null);
        }

        // Claimed, not removed: the row stays until it runs out, so a Followup poll that reaches any instance only
        // after the approval (the client posts it right after the AuthURL, but it may still be in flight, or it moved)
        // finds the result instead of being handed a fresh AuthURL. The claim is what one of two racing operators wins.
        if (!_logins.TryClaim(id, now))
        {
            return new RegistrationApproval(ApprovalStatus.RegistrationNotFound, null);
        }

        RegisterOutcome outcome;
        try
        {
            outcome = Admit(login.Machine, login.Request, user.Id, [], login.Request.Ephemeral, null, RegistrationMethod.Interactive, now);
        }
        catch
        {
            // The node could not be written (the database went away): the client is told so instead of waiting.
            Decided(id, null, "the login could not be completed; log in again", null);
            throw;
        }

        Decided(id, outcome.Node?.Id, outcome.Node is null ? outcome.Response?.Error ?? outcome.Message ?? "the node could not be stored" : null, outcome);
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
        if (!_logins.TryClaim(id, _time.GetUtcNow()))
        {
            return false;
        }

        Decided(id, null, reason, RegisterOutcome.Success(new RegisterResponse { Error = reason }, null));
        return true;
    }

    /// <summary>A registration still waiting for approval (not run out, approved or rejected) on any instance, by id or AuthURL.</summary>
    public PendingRegistration? FindPending(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _logins.Find(IdFromUrl(id.Trim())) is { State: PendingLoginState.Waiting } login && login.Expires > _time.GetUtcNow()
            ? View(login)
            : null;
    }

    /// <summary>
    /// Another instance changed the stored login <paramref name="rowId"/> (the change feed's 'login'): when a client
    /// holds its Followup poll here and it was decided, the poll completes now.
    /// </summary>
    public void ApplyStoredLogin(long rowId)
    {
        if (_logins.FindByRowId(rowId) is { } login && _waiters.TryGetValue(login.Id, out var pending))
        {
            Resolve(pending, login);
        }
    }

    private static string IdFromUrl(string followup)
    {
        var slash = followup.LastIndexOf('/');
        return slash >= 0 ? followup[(slash + 1)..] : followup;
    }

    /// <summary>Drops registrations that ran out (the heartbeat calls this); their waiting polls are cancelled.</summary>
    internal void ExpirePending(DateTimeOffset now)
    {
        foreach (var (id, pending) in _waiters)
        {
            if (pending.Expires <= now && _waiters.TryRemove(id, out _))
            {
                pending.CompletionSource.TrySetCanceled();
            }
        }

        if (_lastPurge == 0 || _time.GetElapsedTime(_lastPurge) >= PurgeInterval)
        {
            _lastPurge = _time.GetTimestamp();
            _logins.DeleteExpired(now);
        }
    }

    /// <summary>The login a Followup names, as a waiter here: known here, or stored by any instance (the client moved here).</summary>
    private PendingRegistration? Waiter(string id, MachinePublic machine)
    {
        var now = _time.GetUtcNow();
        if (_waiters.TryGetValue(id, out var known) && known.Machine == machine && (known.Expires > now || known.Completion.IsCompletedSuccessfully))
        {
            return known;
        }

        if (_logins.Find(id) is not { } login || login.Machine != machine || (login.Expires <= now && !login.IsDecided))
        {
            return null;
        }

        var pending = _waiters.AddOrUpdate(id, _ => new PendingRegistration(login), (_, old) => old.Completion.IsCanceled ? new PendingRegistration(login) : old);

        // A decision applied between the read above and this waiter's registration would be missed: read once more.
        Resolve(pending, _logins.Find(id) ?? login);
        return pending;
    }

    /// <summary>Records a decision and completes the waiter here with <paramref name="local"/> (the exact outcome; others rebuild it from the row).</summary>
    private void Decided(string id, long? nodeId, string? error, RegisterOutcome? local)
    {
        _logins.Decide(id, nodeId, error);
        if (_waiters.TryGetValue(id, out var pending))
        {
            if (local is not null)
            {
                pending.CompletionSource.TrySetResult(local);
            }
            else if (_logins.Find(id) is { } stored)
            {
                Resolve(pending, stored);
            }
        }
    }

    /// <summary>Completes a waiter from a decided login row: the approved node's register response, or the refusal.</summary>
    private void Resolve(PendingRegistration pending, PendingLogin login)
    {
        switch (login.State)
        {
            case PendingLoginState.Approved when login.NodeId is { } nodeId:
                var node = _coordinator.Snapshot.Find(nodeId);
                if (node is null)
                {
                    // The node's own change may still be on its way: read it now rather than answer without it.
                    _coordinator.ApplyStoredNode(nodeId);
                    node = _coordinator.Snapshot.Find(nodeId);
                }

                if (node is not null)
                {
                    pending.CompletionSource.TrySetResult(RegisterOutcome.Success(Response(node, nodeKeyExpired: false), node));
                }

                break;
            case PendingLoginState.Refused:
                pending.CompletionSource.TrySetResult(RegisterOutcome.Success(new RegisterResponse { Error = login.Error ?? "login refused" }, null));
                break;
            default:
                break;
        }
    }

    private PendingRegistration View(PendingLogin login) =>
        _waiters.TryGetValue(login.Id, out var waiter) ? waiter : new PendingRegistration(login);
}
