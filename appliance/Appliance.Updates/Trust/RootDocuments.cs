namespace Appliance.Updates.Trust;

/// <summary>
/// The signed part of root metadata (TUF's root.json, reduced to the two roles an offline appliance needs).
/// <code>
/// {"type":"appliance-root","version":N,
///  "keys":[{"key_id":HEX,"public_key":BASE64},...],      sorted by key_id, unique
///  "root":{"key_ids":[HEX,...],"threshold":K},          who may sign the next root metadata
///  "signing":{"key_ids":[HEX,...],"threshold":K}}       who may sign bundles
/// </code>
/// </summary>
public sealed record RootSignedDocument(string Type, int Version, List<KeyEntryDocument> Keys, RoleDocument Root, RoleDocument Signing);

public sealed record KeyEntryDocument(string KeyId, string PublicKey);

public sealed record RoleDocument(List<string> KeyIds, int Threshold);

/// <summary>One detached signature in root metadata: the key's id and the base64 Ed25519 signature.</summary>
public sealed record SignatureDocument(string KeyId, string Sig);
