using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// Reply to <c>POST /machine/register</c> (tailcfg.RegisterResponse). Go writes every field, so we do too.
/// The client checks, in order: Error, NodeKeySignature, NodeKeyExpired, AuthURL, else success (docs/wire/control.md "/machine/register").
/// </summary>
public sealed record RegisterResponse
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public User User { get; init; } = new();

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public Login Login { get; init; } = new();

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool NodeKeyExpired { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool MachineAuthorized { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string AuthURL { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? NodeKeySignature { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Error { get; init; } = "";
}
