using System.Security.Cryptography;
using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Cluster;

/// <summary>The cluster key (<c>database.cluster_key_file</c>): 32 random bytes that seal the secrets the instances share through the database.</summary>
public sealed class ClusterKey
{
    public const int Length = 32;

    private readonly byte[] _raw;

    private ClusterKey(byte[] raw) => _raw = raw;

    public ReadOnlySpan<byte> Raw => _raw;

    public string Hex => Convert.ToHexStringLower(_raw);

    public static ClusterKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    public static bool TryParse(string? text, out ClusterKey? key)
    {
        key = null;
        var hex = text?.Trim() ?? "";
        if (hex.Length != Length * 2 || !hex.All(Uri.IsHexDigit))
        {
            return false;
        }

        key = new ClusterKey(Convert.FromHexString(hex));
        return true;
    }
}

/// <summary>
/// The cluster key on disk: one line of 64 hex characters, mode 0600, created on first start (through a 0600
/// temporary file renamed without overwriting) and refused, never replaced, when exposed or corrupt, as every server
/// secret is (<see cref="SecretFile"/>). The first instance makes it; every other instance of the database gets a copy.
/// </summary>
public static class ClusterKeyFile
{
    private static readonly SecretFile.Kind<ClusterKey> Kind = new(
        "cluster key",
        "one line of 64 hex digits",
        "make a new one (stop every instance, delete the file everywhere, start one instance, copy its new file to the others).",
        "Copy it again from another instance of this database.",
        ClusterKey.Generate,
        key => key.Hex,
        ClusterKey.TryParse);

    public static ClusterKey LoadOrCreate(string path) => SecretFile.LoadOrCreate(path, Kind);
}
