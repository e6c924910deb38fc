using System.Text.Json.Serialization;

namespace Appliance.Policy.Compilation;

/// <summary>tailcfg.SSHRule (lowercase JSON names on the wire). First matching rule wins.</summary>
public sealed record SSHRule
{
    [JsonPropertyName("principals")]
    public required IReadOnlyList<SSHPrincipal> Principals { get; init; }

    /// <summary>Requested login → local user: "=" means the same name, "" means no match.</summary>
    [JsonPropertyName("sshUsers")]
    public required IReadOnlyDictionary<string, string> SshUsers { get; init; }

    [JsonPropertyName("action")]
    public required SSHAction Action { get; init; }

    [JsonPropertyName("acceptEnv")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? AcceptEnv { get; init; }
}

/// <summary>tailcfg.SSHPrincipal; the appliance emits <c>nodeIP</c> principals.</summary>
public sealed record SSHPrincipal([property: JsonPropertyName("nodeIP")] string NodeIP);

/// <summary>tailcfg.SSHAction.</summary>
public sealed record SSHAction
{
    [JsonPropertyName("accept")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Accept { get; init; }

    [JsonPropertyName("allowAgentForwarding")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AllowAgentForwarding { get; init; }

    [JsonPropertyName("allowLocalPortForwarding")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AllowLocalPortForwarding { get; init; }

    [JsonPropertyName("allowRemotePortForwarding")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AllowRemotePortForwarding { get; init; }

    /// <summary>"check" mode: the destination asks the control server (this URL, with $SRC_NODE_ID etc. filled in).</summary>
    [JsonPropertyName("holdAndDelegate")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HoldAndDelegate { get; init; }

    /// <summary>How long a successful check stays valid; 0 means check every time.</summary>
    [JsonIgnore]
    public TimeSpan? CheckPeriod { get; init; }
}
