using System.Security.Cryptography;

namespace Appliance.Derp.Mesh;

/// <summary>
/// The pre-shared key that lets DERP servers of one region mesh (tailscale cmd/derper/derper.go <c>--mesh-psk-file</c>,
/// derp/derpserver/derpserver.go isMeshPeer): 32 random bytes written as 64 lowercase hex characters, sent by a mesh
/// client as <c>meshKey</c> in its sealed ClientInfo JSON. Compared in constant time.
/// </summary>
public sealed class DerpMeshKey
{
    /// <summary>Length of the key in bytes (derper: key.DERPMesh, 32 bytes).</summary>
    public const int Length = 32;

    private readonly byte[] _raw;

    private DerpMeshKey(byte[] raw) => _raw = raw;

    /// <summary>The form sent on the wire and stored in the key file: 64 lowercase hex characters.</summary>
    public string Hex => Convert.ToHexStringLower(_raw);

    public static DerpMeshKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>Parses 64 hex characters (surrounding white space, as a file's trailing newline, is ignored).</summary>
    public static bool TryParse(string? text, out DerpMeshKey? key)
    {
        key = null;
        var trimmed = text?.Trim();
        if (trimmed is null || trimmed.Length != Length * 2)
        {
            return false;
        }

        try
        {
            key = new DerpMeshKey(Convert.FromHexString(trimmed));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="presented"/> is this key, compared in constant time over the decoded bytes.</summary>
    public bool Matches(string? presented)
    {
        if (!TryParse(presented, out var other))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(_raw, other!._raw);
    }
}
