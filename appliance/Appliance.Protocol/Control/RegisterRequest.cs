using System.Text.Json.Serialization;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Control;

/// <summary>
/// Body of <c>POST /machine/register</c> (tailcfg.RegisterRequest). A past <see cref="Expiry"/> is a logout and wins
/// over <see cref="Auth"/>: the real v1.96.5 client still sends its auth key when logging out (docs/wire/control.md "/machine/register").
/// </summary>
public sealed record RegisterRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int Version { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NodePublic NodeKey { get; init; }

    /// <summary>The previous key during rotation; all-zero (but still written) otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NodePublic OldNodeKey { get; init; }

    /// <summary>Tailnet Lock key (<c>nlpub:</c>); kept as text because the server does not use it.</summary>
    [JsonPropertyName("NLKey")]
    public string? NLKey { get; init; }

    public RegisterResponseAuth? Auth { get; init; }

    /// <summary>Zero = server default; in the past = logout. Go writes the zero time, so we do too.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset Expiry { get; init; }

    /// <summary>The AuthURL previously returned; the server long-polls until that login completes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Followup { get; init; } = "";

    public Hostinfo? Hostinfo { get; init; }

    public bool Ephemeral { get; init; }

    /// <summary>Tailnet Lock signature, standard base64 ([]byte); null when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? NodeKeySignature { get; init; }

    public string? SignatureType { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public string? DeviceCert { get; init; }

    public string? Signature { get; init; }

    public string? Tailnet { get; init; }

    /// <summary>True when the client asks to end its session: Expiry set and before <paramref name="now"/>.</summary>
    public bool IsLogout(DateTimeOffset now) => Expiry != default && Expiry < now;
}

/// <summary>RegisterRequest.Auth (tailcfg.RegisterResponseAuth): the pre-auth key.</summary>
public sealed record RegisterResponseAuth
{
    /// <summary>Used only by pre-1.66 Android; never acted on.</summary>
    public object? Oauth2Token { get; init; }

    public string? AuthKey { get; init; }
}
