using System.Text;

namespace Appliance.Hosting.Backup.Encryption;

/// <summary>One recipient stanza: `-> ARG ARG…` and its base64 body.</summary>
public sealed record AgeStanza(IReadOnlyList<string> Arguments, byte[] Body);

/// <summary>
/// The textual age v1 header (C2SP/C2SP age.md, "Header"): the version line `age-encryption.org/v1`, one or more
/// stanzas (`-> ` arguments, then a body in canonical unpadded base64 wrapped at 64 columns and ended by a shorter
/// line), and `--- ` with the base64 HMAC-SHA-256 of everything up to and including `---`. The parser reads untrusted
/// bytes: it is bounded (<see cref="MaxBytes"/>, <see cref="MaxStanzas"/>) and refuses anything off the grammar
/// with <see cref="FormatException"/>, naming the line.
/// </summary>
public sealed class AgeHeader
{
    public const string VersionLine = "age-encryption.org/v1";
    public const int MaxBytes = 64 * 1024;
    public const int MaxStanzas = 64;
    private const int ColumnsPerLine = 64;

    public AgeHeader(IReadOnlyList<AgeStanza> stanzas, byte[] mac, byte[] macInput)
    {
        Stanzas = stanzas;
        Mac = mac;
        MacInput = macInput;
    }

    public IReadOnlyList<AgeStanza> Stanzas { get; }

    /// <summary>The 32-byte MAC from the `---` line.</summary>
    public byte[] Mac { get; }

    /// <summary>The header bytes the MAC covers: from the version line through `---` (without the space after it).</summary>
    public byte[] MacInput { get; }

    /// <summary>The header text up to and including `---`, for the writer to MAC and then finish with <see cref="Finish"/>.</summary>
    public static byte[] Begin(IEnumerable<AgeStanza> stanzas)
    {
        ArgumentNullException.ThrowIfNull(stanzas);
        var text = new StringBuilder(VersionLine).Append('\n');
        foreach (var stanza in stanzas)
        {
            text.Append("->");
            foreach (var argument in stanza.Arguments)
            {
                text.Append(' ').Append(argument);
            }

            text.Append('\n');
            var body = Base64(stanza.Body);
            for (var i = 0; i <= body.Length; i += ColumnsPerLine)
            {
                // Full 64-column lines, then a final shorter (possibly empty) line.
                text.Append(body.AsSpan(i, Math.Min(ColumnsPerLine, body.Length - i))).Append('\n');
            }
        }

        return Encoding.ASCII.GetBytes(text.Append("---").ToString());
    }

    public static byte[] Finish(byte[] macInput, ReadOnlySpan<byte> mac) =>
        [.. macInput, .. Encoding.ASCII.GetBytes(" " + Base64(mac) + "\n")];

    /// <summary>Reads the header from the start of <paramref name="input"/>, leaving the stream at the payload's first byte.</summary>
    /// <exception cref="FormatException">Not an age v1 header, or one off the grammar.</exception>
    public static AgeHeader Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var consumed = new MemoryStream();
        var lineNumber = 0;
        string Next()
        {
            lineNumber++;
            var line = new List<byte>(80);
            while (true)
            {
                var b = input.ReadByte();
                if (b < 0)
                {
                    throw new FormatException($"header line {lineNumber}: the file ends inside the header");
                }

                consumed.WriteByte((byte)b);
                if (consumed.Length > MaxBytes)
                {
                    throw new FormatException($"the header is longer than {MaxBytes} bytes");
                }

                if (b == '\n')
                {
                    return Encoding.ASCII.GetString([.. line]);
                }

                if (b is < 0x20 or > 0x7e)
                {
                    throw new FormatException($"header line {lineNumber}: a byte that is not printable ASCII");
                }

                line.Add((byte)b);
            }
        }

        if (Next() != VersionLine)
        {
            throw new FormatException("not an age v1 file: the first line is not " + VersionLine);
        }

        var stanzas = new List<AgeStanza>();
        while (true)
        {
            var macStart = consumed.Length;
            var line = Next();
            if (line.StartsWith("--- ", StringComparison.Ordinal))
            {
                if (stanzas.Count == 0)
                {
                    throw new FormatException($"header line {lineNumber}: no recipient stanza before the MAC");
                }

                var mac = DecodeBase64(line[4..], lineNumber);
                if (mac.Length != 32 || line.Length != 4 + 43)
                {
                    throw new FormatException($"header line {lineNumber}: the MAC is not 32 bytes");
                }

                var all = consumed.ToArray();
                return new AgeHeader(stanzas, mac, all[..(int)(macStart + 3)]);
            }

            if (!line.StartsWith("-> ", StringComparison.Ordinal))
            {
                throw new FormatException($"header line {lineNumber}: expected a stanza (->) or the MAC (---)");
            }

            if (stanzas.Count == MaxStanzas)
            {
                throw new FormatException($"more than {MaxStanzas} recipient stanzas");
            }

            var arguments = line[3..].Split(' ');
            if (arguments.Any(a => a.Length == 0))
            {
                throw new FormatException($"header line {lineNumber}: an empty stanza argument");
            }

            var body = new StringBuilder();
            while (true)
            {
                var bodyLine = Next();
                if (bodyLine.Length > ColumnsPerLine)
                {
                    throw new FormatException($"header line {lineNumber}: a stanza body line longer than 64 columns");
                }

                body.Append(bodyLine);
                if (bodyLine.Length < ColumnsPerLine)
                {
                    break;
                }
            }

            stanzas.Add(new AgeStanza(arguments, DecodeBase64(body.ToString(), lineNumber)));
        }
    }

    public static string Base64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>Canonical unpadded base64 only (age.md, "Conventions"): padding and non-canonical trailing bits are refused.</summary>
    public static byte[] DecodeBase64(string text, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('=', StringComparison.Ordinal) || text.Length % 4 == 1)
        {
            throw new FormatException($"header line {lineNumber}: not unpadded base64");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text + new string('=', (4 - text.Length % 4) % 4));
        }
        catch (FormatException)
        {
            throw new FormatException($"header line {lineNumber}: not base64");
        }

        if (Base64(bytes) != text)
        {
            throw new FormatException($"header line {lineNumber}: non-canonical base64");
        }

        return bytes;
    }
}
