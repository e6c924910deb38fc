namespace Appliance.Policy.Net;

/// <summary>An inclusive range of addresses of one family.</summary>
public readonly record struct IPRange(bool IsV6, UInt128 First, UInt128 Last)
{
    public static IPRange FromPrefix(IPPrefix prefix) => new(prefix.IsV6, prefix.First, prefix.Last);

    /// <summary>Parses "a-b" (both ends of one family, a &lt;= b).</summary>
    public static bool TryParse(string text, out IPRange range)
    {
        range = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !IPAddr.TryParse(text[..dash], out var a) || !IPAddr.TryParse(text[(dash + 1)..], out var b)
            || a.IsV6 != b.IsV6 || a.Value > b.Value)
        {
            return false;
        }

        range = new IPRange(a.IsV6, a.Value, b.Value);
        return true;
    }

    /// <summary>The range as one prefix when it is exactly one.</summary>
    public bool TryGetPrefix(out IPPrefix prefix)
    {
        var width = IsV6 ? 128 : 32;
        var size = Last - First;
        // size + 1 must be a power of two and First aligned to it.
        var count = size + 1;
        if (count != 0 && (count & (count - 1)) != 0)
        {
            prefix = default;
            return false;
        }

        var hostBits = count == 0 ? width : (int)UInt128.Log2(count);
        if (count == 0 && !IsV6)
        {
            hostBits = 32;
        }

        prefix = new IPPrefix(new IPAddr(IsV6, First), width - hostBits);
        return (First & ~IPPrefix.Mask(IsV6, width - hostBits) & IPAddr.MaxValue(IsV6)) == 0;
    }

    /// <summary>How Tailscale writes an address set entry: a bare host, a prefix, or "first-last".</summary>
    public override string ToString()
    {
        if (First == Last)
        {
            return new IPAddr(IsV6, First).ToString();
        }

        return TryGetPrefix(out var prefix)
            ? prefix.ToString()
            : $"{new IPAddr(IsV6, First)}-{new IPAddr(IsV6, Last)}";
    }
}
