using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Appliance.Cli;

/// <summary>
/// Writes a JSON value as block-style YAML through YamlDotNet's emitter, which decides indentation and when a string
/// needs quotes. Strings a YAML reader would take for another type (true, null, 1.5, yes, an empty string) are
/// double-quoted, so every value reads back with the type it has in JSON.
/// </summary>
public static partial class YamlOutput
{
    public static void Write(JsonElement element, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var emitter = new Emitter(output);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(element, emitter);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
    }

    private static void Emit(JsonElement element, IEmitter emitter)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var empty = !element.EnumerateObject().Any();
                emitter.Emit(new MappingStart(null, null, isImplicit: true, empty ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var property in element.EnumerateObject())
                {
                    emitter.Emit(StringScalar(property.Name));
                    Emit(property.Value, emitter);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonValueKind.Array:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, element.GetArrayLength() == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in element.EnumerateArray())
                {
                    Emit(item, emitter);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValueKind.String:
                emitter.Emit(StringScalar(element.GetString()!));
                break;
            case JsonValueKind.Number:
                emitter.Emit(Plain(element.GetRawText()));
                break;
            case JsonValueKind.True:
                emitter.Emit(Plain("true"));
                break;
            case JsonValueKind.False:
                emitter.Emit(Plain("false"));
                break;
            default:
                emitter.Emit(Plain("null"));
                break;
        }
    }

    private static Scalar Plain(string text) => new(null, null, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false);

    private static Scalar StringScalar(string text)
    {
        // Multi-line text (a policy file) reads best as a literal block; YamlDotNet falls back to quotes when it cannot.
        // Whitespace at either end or a control character would not survive a plain or block scalar: quote it.
        var style = LooksLikeAnotherType(text) || HasFragileWhitespace(text) ? ScalarStyle.DoubleQuoted
            : text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : ScalarStyle.Any;
        return new Scalar(null, null, text, style, isPlainImplicit: true, isQuotedImplicit: true);
    }

    private static bool HasFragileWhitespace(string text) =>
        text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])
            || text.Any(c => char.IsControl(c) && c != '\n')
            || text.Split('\n').Any(line => line.Length > 0 && char.IsWhiteSpace(line[^1])));

    /// <summary>Strings YAML 1.1 or 1.2 resolvers read as null, a boolean or a number (so the key `n` is quoted too).</summary>
    private static bool LooksLikeAnotherType(string text) =>
        text.Length == 0
        || ReservedWord().IsMatch(text)
        || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || NumberLike().IsMatch(text)
        || Timestamp().IsMatch(text);

    [GeneratedRegex("^(~|null|true|false|yes|no|on|off|y|n|\\.nan|[-+]?\\.inf)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReservedWord();

    [GeneratedRegex("^[-+]?(0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?|[0-9][0-9_,]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberLike();

    /// <summary>YAML 1.1's timestamp type (yaml.org/type/timestamp.html): keep ISO-8601 times strings, as in JSON.</summary>
    [GeneratedRegex("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex Timestamp();
}
