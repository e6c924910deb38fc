using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>The registration result kinds; the handler maps them to HTTP status codes.</summary>
public enum RegisterStatus
{
    /// <summary>200 with the response (which may itself carry Error, NodeKeyExpired or AuthURL).</summary>
    Ok,

    /// <summary>400: malformed request.</summary>
    BadRequest,

    /// <summary>401: node key bound to another machine key.</summary>
    Unauthorized,

    /// <summary>409: the store refused the write (a unique column collided).</summary>
    Conflict,

    AddressesExhausted,

    /// <summary>503: the database refused the write (full, read-only); nothing changed, the client retries.</summary>
    Unavailable,
}

/// <summary>What <see cref="RegistrationFlow.Register"/> decided. <see cref="Pending"/> is set for the interactive flow.</summary>
public sealed record RegisterOutcome(RegisterStatus Status, RegisterResponse? Response, string? Message, NodeEntry? Node)
{
    public PendingRegistration? Pending { get; init; }

    public static RegisterOutcome Success(RegisterResponse response, NodeEntry? node) => new(RegisterStatus.Ok, response, null, node);

    public static RegisterOutcome Failed(RegisterStatus status, string message) => new(status, null, message, null);
}
