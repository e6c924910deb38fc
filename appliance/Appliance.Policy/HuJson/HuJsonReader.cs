using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Appliance.Policy.HuJson;

/// <summary>
/// Reads HuJSON ("human JSON", github.com/tailscale/hujson): JSON plus <c>//</c> line comments,
/// <c>/* */</c> block comments and a trailing comma after the last array element or object member.
/// Every error names the 1-based line and column where the input stopped making sense.
/// Bounded: nesting deeper than <see cref="MaxDepth"/> and documents over <see cref="MaxLength"/> characters are
/// rejected, so a hostile file cannot exhaust the stack or memory.
/// </summary>
public sealed class HuJsonReader
{
    public const int MaxDepth = 128;
    public const int MaxLength = 16 * 1024 * 1024;

    private readonly string _text;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private HuJsonReader(string text)
    {
        _text = text;
    }

    /// <summary>Parses a whole document; throws <see cref="HuJsonException"/> with line and column.</summary>
    public static HuJsonValue Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new HuJsonReader(text);
        if (text.Length > MaxLength)
        {
            throw new HuJsonException(new HuJsonPosition(1, 1), $"document is larger than {MaxLength} characters");
        }

        reader.SkipTrivia();
        var value = reader.ReadValue(0);
        reader.SkipTrivia();
        if (reader._pos < text.Length)
        {
            reader.Fail("unexpected content after the top-level value");
        }

        return value;
    }

    public static bool TryParse(string text, out HuJsonValue? value, out HuJsonException? error)
    {
        try
        {
            value = Parse(text);
            error = null;
            return true;
        }
        catch (HuJsonException e)
        {
            value = null;
            error = e;
            return false;
        }
    }

    /// <summary>Converts HuJSON text to standard JSON.</summary>
    public static string Standardize(string text) => Parse(text).ToJson();

    private HuJsonPosition Here => new(_line, _pos - _lineStart + 1);

    [DoesNotReturn]
    private void Fail(string reason) => throw At(reason);

    private HuJsonException At(string reason) => new(Here, reason);

    private HuJsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            Fail($"nesting deeper than {MaxDepth}");
        }

        if (_pos >= _text.Length)
        {
            Fail("unexpected end of input, expected a value");
        }

        var start = Here;
        var offset = _pos;
        var c = _text[_pos];
        switch (c)
        {
            case '{':
                return ReadObject(start, depth);
            case '[':
                return ReadArray(start, depth);
            case '"':
                var text = ReadString();
                return HuJsonValue.Scalar(HuJsonKind.String, start, text, offset, _pos);
            case 't':
                ExpectWord("true");
                return HuJsonValue.Scalar(HuJsonKind.True, start, "", offset, _pos);
            case 'f':
                ExpectWord("false");
                return HuJsonValue.Scalar(HuJsonKind.False, start, "", offset, _pos);
            case 'n':
                ExpectWord("null");
                return HuJsonValue.Scalar(HuJsonKind.Null, start, "", offset, _pos);
            default:
                if (c == '-' || char.IsAsciiDigit(c))
                {
                    var number = ReadNumber();
                    return HuJsonValue.Scalar(HuJsonKind.Number, start, number, offset, _pos);
                }

                throw At($"unexpected character {Describe(c)}, expected a value");
        }
    }

    private HuJsonValue ReadObject(HuJsonPosition start, int depth)
    {
        var offset = _pos;
        _pos++;
        var members = new List<HuJsonMember>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            SkipTrivia();
            if (_pos >= _text.Length)
            {
                Fail("unexpected end of input inside an object, expected '}'");
            }

            if (_text[_pos] == '}')
            {
                _pos++;
                return HuJsonValue.ObjectOf(start, members, offset, _pos);
            }

            if (_text[_pos] != '"')
            {
                Fail($"unexpected character {Describe(_text[_pos])}, expected a member name string");
            }

            var keyPos = Here;
            var name = ReadString();
            if (!names.Add(name))
            {
                throw new HuJsonException(keyPos, $"duplicate member name \"{name}\"");
            }

            SkipTrivia();
            if (_pos >= _text.Length || _text[_pos] != ':')
            {
                Fail(_pos >= _text.Length ? "unexpected end of input, expected ':'" : $"unexpected character {Describe(_text[_pos])}, expected ':'");
            }

            _pos++;
            SkipTrivia();
            var value = ReadValue(depth + 1);
            members.Add(new HuJsonMember(name, keyPos, value));
            SkipTrivia();
            if (_pos >= _text.Length)
            {
                Fail("unexpected end of input inside an object, expected ',' or '}'");
            }

            if (_text[_pos] == ',')
            {
                _pos++;
                continue;
            }

            if (_text[_pos] != '}')
            {
                Fail($"unexpected character {Describe(_text[_pos])}, expected ',' or '}}'");
            }
        }
    }

    private HuJsonValue ReadArray(HuJsonPosition start, int depth)
    {
        var offset = _pos;
        _pos++;
        var items = new List<HuJsonValue>();
        while (true)
        {
            SkipTrivia();
            if (_pos >= _text.Length)
            {
                Fail("unexpected end of input inside an array, expected ']'");
            }

            if (_text[_pos] == ']')
            {
                _pos++;
                return HuJsonValue.ArrayOf(start, items, offset, _pos);
            }

            items.Add(ReadValue(depth + 1));
            SkipTrivia();
            if (_pos >= _text.Length)
            {
                Fail("unexpected end of input inside an array, expected ',' or ']'");
            }

            if (_text[_pos] == ',')
            {
                _pos++;
                continue;
            }

            if (_text[_pos] != ']')
            {
                Fail($"unexpected character {Describe(_text[_pos])}, expected ',' or ']'");
            }
        }
    }

    private string ReadString()
    {
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                Fail("unexpected end of input inside a string");
            }

            var c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return sb.ToString();
            }

            if (c < 0x20)
            {
                Fail($"control character {Describe(c)} inside a string");
            }

            if (c != '\\')
            {
                sb.Append(c);
                _pos++;
                continue;
            }

            _pos++;
            if (_pos >= _text.Length)
            {
                Fail("unexpected end of input inside a string escape");
            }

            var e = _text[_pos];
            _pos++;
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length
                        || !int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw At("invalid \\u escape, expected four hex digits");
                    }

                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    _pos--;
                    Fail($"invalid escape \\{e}");
                    break;
            }
        }
    }

    private string ReadNumber()
    {
        var start = _pos;
        if (_text[_pos] == '-')
        {
            _pos++;
        }

        if (_pos >= _text.Length || !char.IsAsciiDigit(_text[_pos]))
        {
            Fail("invalid number, expected a digit");
        }

        if (_text[_pos] == '0')
        {
            _pos++;
        }
        else
        {
            SkipDigits();
        }

        if (_pos < _text.Length && _text[_pos] == '.')
        {
            _pos++;
            if (_pos >= _text.Length || !char.IsAsciiDigit(_text[_pos]))
            {
                Fail("invalid number, expected a digit after '.'");
            }

            SkipDigits();
        }

        if (_pos < _text.Length && (_text[_pos] == 'e' || _text[_pos] == 'E'))
        {
            _pos++;
            if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-'))
            {
                _pos++;
            }

            if (_pos >= _text.Length || !char.IsAsciiDigit(_text[_pos]))
            {
                Fail("invalid number, expected a digit in the exponent");
            }

            SkipDigits();
        }

        if (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '.'))
        {
            Fail($"unexpected character {Describe(_text[_pos])} after a number");
        }

        return _text[start.._pos];
    }

    private void SkipDigits()
    {
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }
    }

    private void ExpectWord(string word)
    {
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
        {
            Fail($"invalid literal, expected {word}");
        }

        _pos += word.Length;
        if (_pos < _text.Length && char.IsAsciiLetterOrDigit(_text[_pos]))
        {
            Fail($"unexpected character {Describe(_text[_pos])} after {word}");
        }
    }

    /// <summary>Skips whitespace and comments, keeping the line count right.</summary>
    private void SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (c is ' ' or '\t' or '\r' or '\uFEFF')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                var open = Here;
                _pos += 2;
                while (true)
                {
                    if (_pos + 1 >= _text.Length)
                    {
                        throw new HuJsonException(open, "unterminated /* comment");
                    }

                    if (_text[_pos] == '*' && _text[_pos + 1] == '/')
                    {
                        _pos += 2;
                        break;
                    }

                    if (_text[_pos] == '\n')
                    {
                        _line++;
                        _lineStart = _pos + 1;
                    }

                    _pos++;
                }
            }
            else if (c == '/')
            {
                Fail("unexpected '/', comments start with // or /*");
            }
            else
            {
                return;
            }
        }
    }

    private static string Describe(char c) =>
        c < 0x20 || c > 0x7e ? $"U+{(int)c:X4}" : $"'{c}'";
}
