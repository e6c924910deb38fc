using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>tailcfg.User as sent in RegisterResponse.</summary>
public sealed record User
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long ID { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string DisplayName { get; init; } = "";

    public string? ProfilePicURL { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset Created { get; init; }
}

/// <summary>tailcfg.Login as sent in RegisterResponse; the client stores its names as the profile.</summary>
public sealed record Login
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long ID { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Provider { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string LoginName { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string DisplayName { get; init; } = "";

    public string? ProfilePicURL { get; init; }
}

/// <summary>tailcfg.UserProfile in MapResponse.UserProfiles (additive across messages).</summary>
public sealed record UserProfile
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long ID { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string LoginName { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string DisplayName { get; init; } = "";

    public string? ProfilePicURL { get; init; }

    public IReadOnlyList<string>? Groups { get; init; }
}
