using System.Text;
using System.Text.Json;
using Appliance.Updates.Json;
using Appliance.Updates.Signing;

namespace Appliance.Updates.Trust;

/// <summary>
/// Root metadata: the trust anchor pinned on the appliance at install time (root.json in the updates root).
/// <para>Trust model (TUF root role, Tailscale clientupdate/distsign): offline root keys sign this document; it
/// names the signing keys that may sign bundles and the k-of-n thresholds of both roles. The root keys never
/// touch a bundle, so losing a signing key means a new root version, not a reinstall. A new root version is
/// accepted only if it is exactly one version newer and signed by the threshold of the current root's root
/// role and by its own (see <see cref="RootRotation"/>).</para>
/// File layout: <c>{"signed":CANONICAL,"signatures":[{"key_id":HEX,"sig":BASE64},...]}</c>, where the
/// signature message is <see cref="SignatureDomain.RootContext"/> followed by the exact bytes of "signed".
/// </summary>
public sealed class RootMetadata
{
    public const string DocumentType = "appliance-root";
    public const int MaxFileSize = 1 << 20;
    public const int MaxKeys = 32;
    public const int MaxSignatures = 32;

    private RootMetadata(RootSignedDocument signed, byte[] signedBytes, List<SignatureDocument> signatures,
        TrustRole root, TrustRole signing)
    {
        Document = signed;
        SignedBytes = signedBytes;
        Signatures = signatures;
        Root = root;
        Signing = signing;
    }

    public RootSignedDocument Document { get; }

    public int Version => Document.Version;

    public byte[] SignedBytes { get; }

    public IReadOnlyList<SignatureDocument> Signatures { get; }

    public TrustRole Root { get; }

    public TrustRole Signing { get; }

    /// <summary>Builds unsigned metadata; sign it with <see cref="WithSignature"/> by each root key holder.</summary>
    public static RootMetadata Create(int version, IEnumerable<PublicSigningKey> rootKeys, int rootThreshold,
        IEnumerable<PublicSigningKey> signingKeys, int signingThreshold)
    {
        var roots = rootKeys.DistinctBy(k => k.Id).ToList();
        var signers = signingKeys.DistinctBy(k => k.Id).ToList();
        var keys = roots.Concat(signers).DistinctBy(k => k.Id)
            .Select(k => new KeyEntryDocument(k.Id.ToString(), k.ToBase64()))
            .OrderBy(k => k.KeyId, StringComparer.Ordinal).ToList();
        var doc = new RootSignedDocument(DocumentType, version, keys,
            new RoleDocument(roots.Select(k => k.Id.ToString()).Order(StringComparer.Ordinal).ToList(), rootThreshold),
            new RoleDocument(signers.Select(k => k.Id.ToString()).Order(StringComparer.Ordinal).ToList(), signingThreshold));
        var bytes = CanonicalJson.Serialize(doc, UpdatesJsonContext.Default.RootSignedDocument);
        return TryFromSigned(bytes, [], out var metadata, out var error)
            ? metadata!
            : throw new ArgumentException("Root metadata is not valid: " + error);
    }

    /// <summary>Adds (or replaces) the signature of <paramref name="key"/>; other signatures are kept.</summary>
    public RootMetadata WithSignature(SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sig = key.Sign(SignatureDomain.RootMessage(SignedBytes));
        var id = key.Public.Id.ToString();
        var signatures = Signatures.Where(s => s.KeyId != id).Append(new SignatureDocument(id, Convert.ToBase64String(sig))).ToList();
        return new RootMetadata(Document, SignedBytes, signatures, Root, Signing);
    }

    /// <summary>Counts this document's signatures against a root role (its own, or the current root's).</summary>
    public ThresholdResult CountSignatures(TrustRole by)
    {
        ArgumentNullException.ThrowIfNull(by);
        var message = SignatureDomain.RootMessage(SignedBytes);
        return by.Count(message, Signatures.Select(ParseSignature).OfType<(KeyId, ReadOnlyMemory<byte>)>());
    }

    public byte[] ToFileBytes()
    {
        var sigs = CanonicalJson.Serialize(Signatures.ToList(), UpdatesJsonContext.Default.ListSignatureDocument);
        var prefix = "{\"signed\":"u8;
        var middle = ",\"signatures\":"u8;
        var output = new byte[prefix.Length + SignedBytes.Length + middle.Length + sigs.Length + 2];
        var span = output.AsSpan();
        prefix.CopyTo(span);
        SignedBytes.CopyTo(span[prefix.Length..]);
        middle.CopyTo(span[(prefix.Length + SignedBytes.Length)..]);
        sigs.CopyTo(span[(prefix.Length + SignedBytes.Length + middle.Length)..]);
        output[^2] = (byte)'}';
        output[^1] = (byte)'\n';
        return output;
    }

    /// <summary>Parses a root metadata file strictly. Signatures are not checked here (see RootRotation).</summary>
    public static bool TryParse(ReadOnlySpan<byte> file, out RootMetadata? metadata, out string error)
    {
        metadata = null;
        if (file.Length > MaxFileSize)
        {
            error = $"root metadata is larger than {MaxFileSize} bytes";
            return false;
        }

        byte[] signedBytes;
        List<SignatureDocument>? signatures;
        try
        {
            using var json = JsonDocument.Parse(file.ToArray(), new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            var top = json.RootElement;
            if (top.ValueKind != JsonValueKind.Object || top.EnumerateObject().Count() != 2
                || !top.TryGetProperty("signed", out var signed) || !top.TryGetProperty("signatures", out var sigs))
            {
                error = "root metadata must be an object with exactly \"signed\" and \"signatures\"";
                return false;
            }

            signedBytes = Encoding.UTF8.GetBytes(signed.GetRawText());
            signatures = JsonSerializer.Deserialize(sigs.GetRawText(), UpdatesJsonContext.Default.ListSignatureDocument);
        }
        catch (JsonException e)
        {
            error = "root metadata is not valid JSON: " + e.Message;
            return false;
        }

        if (signatures is null || signatures.Count > MaxSignatures)
        {
            error = $"root metadata must have at most {MaxSignatures} signatures";
            return false;
        }

        return TryFromSigned(signedBytes, signatures, out metadata, out error);
    }

    private static bool TryFromSigned(byte[] signedBytes, List<SignatureDocument> signatures, out RootMetadata? metadata, out string error)
    {
        metadata = null;
        var doc = CanonicalJson.TryParseCanonical(signedBytes, UpdatesJsonContext.Default.RootSignedDocument, out var parseError);
        if (doc is null)
        {
            error = "root metadata \"signed\": " + parseError;
            return false;
        }

        if (doc.Type != DocumentType || doc.Version < 1)
        {
            error = $"root metadata must have type \"{DocumentType}\" and a version of 1 or more";
            return false;
        }

        if (doc.Keys.Count is 0 or > MaxKeys)
        {
            error = $"root metadata must list between 1 and {MaxKeys} keys";
            return false;
        }

        var keys = new Dictionary<KeyId, PublicSigningKey>();
        string? previous = null;
        foreach (var entry in doc.Keys)
        {
            if (!PublicSigningKey.TryParseBase64(entry.PublicKey, out var key) || key!.Id.ToString() != entry.KeyId)
            {
                error = $"root metadata key {entry.KeyId} is not a valid Ed25519 key with that id";
                return false;
            }

            if (previous is not null && string.CompareOrdinal(previous, entry.KeyId) >= 0)
            {
                error = "root metadata keys must be sorted by key_id without repeats";
                return false;
            }

            previous = entry.KeyId;
            keys.Add(key.Id, key);
        }

        if (!TryRole(doc.Root, keys, "root", out var root, out error) || !TryRole(doc.Signing, keys, "signing", out var signing, out error))
        {
            return false;
        }

        metadata = new RootMetadata(doc, signedBytes, signatures, root!, signing!);
        return true;
    }

    private static bool TryRole(RoleDocument role, Dictionary<KeyId, PublicSigningKey> keys, string name, out TrustRole? trust, out string error)
    {
        trust = null;
        var members = new Dictionary<KeyId, PublicSigningKey>();
        string? previous = null;
        foreach (var text in role.KeyIds)
        {
            if (!KeyId.TryParse(text, out var id) || !keys.TryGetValue(id, out var key))
            {
                error = $"the {name} role names key {text}, which is not listed in keys";
                return false;
            }

            if (previous is not null && string.CompareOrdinal(previous, text) >= 0)
            {
                error = $"the {name} role's key_ids must be sorted without repeats";
                return false;
            }

            previous = text;
            members.Add(id, key);
        }

        if (role.Threshold < 1 || role.Threshold > members.Count)
        {
            error = $"the {name} role's threshold {role.Threshold} must be between 1 and its {members.Count} key(s)";
            return false;
        }

        trust = new TrustRole(members, role.Threshold);
        error = string.Empty;
        return true;
    }

    private static (KeyId, ReadOnlyMemory<byte>)? ParseSignature(SignatureDocument s)
    {
        if (!KeyId.TryParse(s.KeyId, out var id) || s.Sig is null || s.Sig.Length > 128)
        {
            return null;
        }

        var raw = new byte[96];
        return Convert.TryFromBase64String(s.Sig, raw, out var n) && n == PublicSigningKey.SignatureSize
            ? (id, raw.AsMemory(0, n))
            : null;
    }
}
