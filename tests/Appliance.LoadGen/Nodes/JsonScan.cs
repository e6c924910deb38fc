using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Appliance.LoadGen.Nodes;

/// <summary>
/// A forward-only walk over JSON that reads only what <see cref="LightMapScanner"/> asks for (names, strings,
/// integers) and skips any other value by finding where it ends: the next quote or bracket with a vectorised search,
/// strings with their escapes, brackets by depth. It does not validate what it skips (the full nodes and the
/// conformance tests check the server's JSON); it never reads past the span and throws <see cref="JsonException"/>
/// on input it cannot walk.
/// </summary>
internal ref struct JsonScan(ReadOnlySpan<byte> json)
{
    private static readonly SearchValues<byte> Structure = SearchValues.Create("\"{}[]"u8);
    private static readonly SearchValues<byte> StringEnd = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<byte> ScalarEnd = SearchValues.Create(",}] \t\r\n"u8);

    private readonly ReadOnlySpan<byte> _json = json;
    private int _position;

    /// <summary>Whether the raw string <paramref name="raw"/> (as <see cref="ReadString"/> returns it) is the name <paramref name="name"/>.</summary>
    public static bool NameIs(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> name) => ValueIs(raw, name);

    /// <summary>Whether the raw string <paramref name="raw"/> decodes to <paramref name="text"/> (escapes are decoded only when present).</summary>
    public static bool ValueIs(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> text)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return raw.SequenceEqual(text);
        }

        // Rare: the server escaped something. Let the BCL's reader decode the quoted string.
        Span<byte> quoted = raw.Length + 2 <= 512 ? stackalloc byte[raw.Length + 2] : new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        return reader.Read() && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(text);
    }

    public bool PeekIs(byte c) => Peek() == c;

    public bool TryConsume(byte c)
    {
        if (Peek() != c)
        {
            return false;
        }

        _position++;
        return true;
    }

    public void Expect(byte c)
    {
        if (!TryConsume(c))
        {
            throw new JsonException($"expected '{(char)c}' at byte {_position}");
        }
    }

    /// <summary>Reads a string and returns its raw bytes between the quotes (escapes left as they are).</summary>
    public ReadOnlySpan<byte> ReadString()
    {
        Expect((byte)'"');
        var start = _position;
        SkipStringBody();
        return _json[start..(_position - 1)];
    }

    public long ReadInt64()
    {
        Peek();
        if (!Utf8Parser.TryParse(_json[_position..], out long value, out var consumed) || consumed == 0)
        {
            throw new JsonException($"not a 64-bit ID at byte {_position}");
        }

        _position += consumed;
        return value;
    }

    /// <summary>Moves past one value of any kind.</summary>
    public void SkipValue()
    {
        var c = Peek();
        if (c == (byte)'"')
        {
            _position++;
            SkipStringBody();
        }
        else if (c is (byte)'{' or (byte)'[')
        {
            _position++;
            var depth = 1;
            while (depth > 0)
            {
                var next = _json[_position..].IndexOfAny(Structure);
                if (next < 0)
                {
                    throw Early();
                }

                _position += next + 1;
                switch (_json[_position - 1])
                {
                    case (byte)'"':
                        SkipStringBody();
                        break;
                    case (byte)'{' or (byte)'[':
                        depth++;
                        break;
                    default:
                        depth--;
                        break;
                }
            }
        }
        else if (c is (byte)'}' or (byte)']' or (byte)',' or (byte)':')
        {
            throw new JsonException($"expected a value at byte {_position}");
        }
        else
        {
            var end = _json[_position..].IndexOfAny(ScalarEnd);
            _position = end < 0 ? _json.Length : _position + end;
        }
    }

    /// <summary>From just after an opening quote to just after its closing quote.</summary>
    private void SkipStringBody()
    {
        while (true)
        {
            var next = _json[_position..].IndexOfAny(StringEnd);
            if (next < 0)
            {
                throw Early();
            }

            _position += next + 1;
            if (_json[_position - 1] == (byte)'"')
            {
                return;
            }

            // A backslash: the next byte is escaped, whatever it is.
            _position++;
            if (_position > _json.Length)
            {
                throw Early();
            }
        }
    }

    private byte Peek()
    {
        while (_position < _json.Length && _json[_position] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            _position++;
        }

        return _position < _json.Length ? _json[_position] : throw Early();
    }

    private static JsonException Early() => new("map message ends early");
}
