using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;

namespace Appliance.State.Coordinator;

/// <summary>
/// An interactive registration waiting for an operator (<c>appliance auth approve &lt;id&gt; --user NAME</c>).
/// The id is 128 random bits in URL-safe base64: knowing it is what lets an operator approve the machine. The login
/// itself is stored (<see cref="IPendingLoginRepository"/>; in the database for `serve`, shared by every appliance on
/// it); this object is one instance's view of it, and when a client holds a Followup long poll here,
/// <see cref="Completion"/> resolves with the final register outcome, whichever instance decided it.
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

    internal PendingRegistration(PendingLogin login)
        : this(login.Id, login.Machine, login.Request, login.AuthUrl, login.Created, login.Expires)
    {
    }

    public string Id { get; }

    public MachinePublic Machine { get; }

    public RegisterRequest Request { get; }

    public Uri AuthUrl { get; }

    /// <summary>When the client first asked (its AuthURL was issued).</summary>
    public DateTimeOffset Created { get; }

    public DateTimeOffset Expires { get; }

    public string Hostname => Request.Hostinfo?.Hostname ?? "";

    /// <summary>True once decided (approved or refused): a Followup poll that arrives afterwards gets the result at once.</summary>
    public bool IsApproved => CompletionSource.Task.IsCompleted;

    internal TaskCompletionSource<RegisterOutcome> CompletionSource { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RegisterOutcome> Completion => CompletionSource.Task;
}
