namespace Appliance.Hosting.Backup.Encryption;

/// <summary>
/// Bech32 (BIP-173: github.com/bitcoin/bips bip-0173.mediawiki, "Bech32"), the text form of age keys: `age1…`
/// recipients and `AGE-SECRET-KEY-1…` identities (C2SP/C2SP age.md, "The X25519 recipient type"). An encoding with
/// a BCH checksum, not a cryptographic primitive. As age does, no 90-character limit; mixed case is refused.
/// </summary>
public static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    public static string Encode(string hrp, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(hrp);
        var lower = hrp.ToLowerInvariant();
        var values = ConvertBits(data, 8, 5, pad: true) ?? throw new ArgumentException("cannot convert", nameof(data));
        var checksum = Checksum(lower, values);
        var chars = new char[lower.Length + 1 + values.Length + checksum.Length];
        lower.CopyTo(0, chars, 0, lower.Length);
        chars[lower.Length] = '1';
        var i = lower.Length + 1;
        foreach (var v in values.Concat(checksum))
        {
            chars[i++] = Charset[v];
        }

        return new string(chars);
    }

    /// <summary>The HRP (lower case) and the data, or false when the text is not valid Bech32.</summary>
    public static bool TryDecode(string text, out string hrp, out byte[] data)
    {
        hrp = "";
        data = [];
        if (string.IsNullOrEmpty(text) || text.Any(c => c < 33 || c > 126) || (text.Any(char.IsLower) && text.Any(char.IsUpper)))
        {
            return false;
        }

        var lower = text.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || separator + 7 > lower.Length)
        {
            return false;
        }

        var values = new byte[lower.Length - separator - 1];
        for (var i = 0; i < values.Length; i++)
        {
            var index = Charset.IndexOf(lower[separator + 1 + i], StringComparison.Ordinal);
            if (index < 0)
            {
                return false;
            }

            values[i] = (byte)index;
        }

        var prefix = lower[..separator];
        if (Polymod(Expand(prefix).Concat(values)) != 1)
        {
            return false;
        }

        var converted = ConvertBits(values.AsSpan(0, values.Length - 6), 5, 8, pad: false);
        if (converted is null)
        {
            return false;
        }

        hrp = prefix;
        data = converted;
        return true;
    }

    private static byte[] Checksum(string hrp, byte[] values)
    {
        var polymod = Polymod(Expand(hrp).Concat(values).Concat(new byte[6])) ^ 1;
        var checksum = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            checksum[i] = (byte)((polymod >> (5 * (5 - i))) & 31);
        }

        return checksum;
    }

    private static IEnumerable<byte> Expand(string hrp) =>
        hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31)));

    private static uint Polymod(IEnumerable<byte> values)
    {
        uint checksum = 1;
        foreach (var value in values)
        {
            var top = checksum >> 25;
            checksum = ((checksum & 0x1ffffff) << 5) ^ value;
            for (var i = 0; i < 5; i++)
            {
                if (((top >> i) & 1) != 0)
                {
                    checksum ^= Generator[i];
                }
            }
        }

        return checksum;
    }

    private static byte[]? ConvertBits(ReadOnlySpan<byte> data, int from, int to, bool pad)
    {
        var accumulator = 0;
        var bits = 0;
        var maxValue = (1 << to) - 1;
        var result = new List<byte>(data.Length * from / to + 1);
        foreach (var value in data)
        {
            if (value >> from != 0)
            {
                return null;
            }

            accumulator = (accumulator << from) | value;
            bits += from;
            while (bits >= to)
            {
                bits -= to;
                result.Add((byte)((accumulator >> bits) & maxValue));
            }
        }

        if (pad)
        {
            if (bits > 0)
            {
                result.Add((byte)((accumulator << (to - bits)) & maxValue));
            }
        }
        else if (bits >= from || ((accumulator << (to - bits)) & maxValue) != 0)
        {
            return null;
        }

        return [.. result];
    }
}
