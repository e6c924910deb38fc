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
    internal PendingRegistration(string id, MachinePublic machine, RegisterRequest request, Uri authUrl, DateTimeOffset expires)
    {
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

    public DateTimeOffset Expires { get; }

    public string Hostname => Request.Hostinfo?.Hostname ?? "";

    internal TaskCompletionSource<RegisterOutcome> CompletionSource { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RegisterOutcome> Completion => CompletionSource.Task;
}
