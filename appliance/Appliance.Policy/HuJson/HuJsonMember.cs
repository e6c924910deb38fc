namespace Appliance.Policy.HuJson;

/// <summary>An object member: its key, where the key is, and its value.</summary>
public sealed record HuJsonMember(string Name, HuJsonPosition Position, HuJsonValue Value);
