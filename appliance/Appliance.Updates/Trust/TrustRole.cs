using Appliance.Updates.Signing;

namespace Appliance.Updates.Trust;

/// <summary>A set of trusted keys and how many of them (k of n) must sign.</summary>
public sealed class TrustRole
{
    public TrustRole(IReadOnlyDictionary<KeyId, PublicSigningKey> keys, int threshold)
    {
        Keys = keys;
        Threshold = threshold;
    }

    public IReadOnlyDictionary<KeyId, PublicSigningKey> Keys { get; }

    public int Threshold { get; }

    /// <summary>
    /// Counts valid signatures over <paramref name="message"/> by distinct keys of this role. A key counts once
    /// however often it signed; signatures by keys outside the role and bad signatures count nothing.
    /// </summary>
    public ThresholdResult Count(ReadOnlySpan<byte> message, IEnumerable<(KeyId Key, ReadOnlyMemory<byte> Signature)> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        var counted = new HashSet<KeyId>();
        int unknown = 0, invalid = 0, repeated = 0;
        foreach (var (id, sig) in signatures)
        {
            if (!Keys.TryGetValue(id, out var key))
            {
                unknown++;
            }
            else if (!key.Verify(message, sig.Span))
            {
                invalid++;
            }
            else if (!counted.Add(id))
            {
                repeated++;
            }
        }

        return new ThresholdResult(counted.Count, Threshold, unknown, invalid, repeated);
    }
}

public readonly record struct ThresholdResult(int Valid, int Threshold, int Unknown, int Invalid, int Repeated)
{
    public bool Met => Valid >= Threshold;

    public string Describe(string what) =>
        $"{what} has {Valid} valid signature(s) from distinct trusted keys, {Threshold} required" +
        (Unknown > 0 ? $"; {Unknown} by unknown key(s)" : string.Empty) +
        (Invalid > 0 ? $"; {Invalid} not valid" : string.Empty) +
        (Repeated > 0 ? $"; {Repeated} repeated by a key already counted" : string.Empty);
}
