using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>tailcfg.SSHPolicy. Unlike most of tailcfg these types use lowercase JSON tags (docs/wire/control.md "Packet filter and SSH policy").</summary>
public sealed record SSHPolicy
{
    [JsonPropertyName("rules")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<SSHRule> Rules { get; init; } = [];
}

/// <summary>tailcfg.SSHRule: first match wins.</summary>
public sealed record SSHRule
{
    [JsonPropertyName("ruleExpires")]
    public DateTimeOffset? RuleExpires { get; init; }

    [JsonPropertyName("principals")]
    public IReadOnlyList<SSHPrincipal>? Principals { get; init; }

    /// <summary>Remote user → local user; "=" = same name, "" = no match.</summary>
    [JsonPropertyName("sshUsers")]
    public IReadOnlyDictionary<string, string>? SshUsers { get; init; }

    [JsonPropertyName("action")]
    public SSHAction? Action { get; init; }

    [JsonPropertyName("acceptEnv")]
    public IReadOnlyList<string>? AcceptEnv { get; init; }
}

/// <summary>tailcfg.SSHPrincipal: who the rule matches.</summary>
public sealed record SSHPrincipal
{
    [JsonPropertyName("node")]
    public string? Node { get; init; }

    [JsonPropertyName("nodeIP")]
    public string? NodeIP { get; init; }

    [JsonPropertyName("userLogin")]
    public string? UserLogin { get; init; }

    [JsonPropertyName("any")]
    public bool Any { get; init; }
}

/// <summary>tailcfg.SSHAction. SessionDuration is a Go time.Duration: int64 nanoseconds.</summary>
public sealed record SSHAction
{
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("reject")]
    public bool Reject { get; init; }

    [JsonPropertyName("accept")]
    public bool Accept { get; init; }

    [JsonPropertyName("sessionDuration")]
    public long SessionDurationNanoseconds { get; init; }

    [JsonPropertyName("allowAgentForwarding")]
    public bool AllowAgentForwarding { get; init; }

    [JsonPropertyName("holdAndDelegate")]
    public string? HoldAndDelegate { get; init; }

    [JsonPropertyName("allowLocalPortForwarding")]
    public bool AllowLocalPortForwarding { get; init; }

    [JsonPropertyName("allowRemotePortForwarding")]
    public bool AllowRemotePortForwarding { get; init; }

    [JsonPropertyName("recorders")]
    public IReadOnlyList<string>? Recorders { get; init; }
}
