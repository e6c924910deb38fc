using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;

namespace Appliance.State.Coordinator;

/// <summary>
/// An interactive registration waiting for an operator (<c>appliance auth approve &lt;id&gt; --user NAME</c>).
/// The client holds a Followup long poll on it; <see cref="Completion"/> resolves with the final register outcome.
/// The id is 128 random bits in URL-safe base64: knowing it is what lets an operator approve the machine.
/// </summary>
public sealed class PendingRegistration
{
    internal PendingRegistration(string id, MachinePublic machine, RegisterRequest request, Uri authUrl, DateTimeOffset created, DateTimeOffset expires)
    {
        Created = created;
        Id = id;
        Machine = machine;
        Request = request;
        AuthUrl = authUrl;
        Expires = expires;
    }

    public string Id { get; }

    public MachinePublic Machine { get; }

    public RegisterRequest Request { get; }

    public Uri AuthUrl { get; }

    /// <summary>When the client first asked (its AuthURL was issued).</summary>
    public DateTimeOffset Created { get; }

    public DateTimeOffset Expires { get; }

    public string Hostname => Request.Hostinfo?.Hostname ?? "";

    private int _claimed;

    /// <summary>True once an operator approved it: it is no longer listed or approvable, but stays until it runs out
    /// so a Followup poll that arrives after the approval still gets the result.</summary>
    public bool IsApproved => Volatile.Read(ref _claimed) != 0;

    /// <summary>Claims the registration for one approval; false if another approval got there first.</summary>
    internal bool TryClaim() => Interlocked.CompareExchange(ref _claimed, 1, 0) == 0;

    internal TaskCompletionSource<RegisterOutcome> CompletionSource { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RegisterOutcome> Completion => CompletionSource.Task;
}
