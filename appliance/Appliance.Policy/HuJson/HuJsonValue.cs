using System.Globalization;
using System.Text;

namespace Appliance.Policy.HuJson;

/// <summary>
/// One value of a parsed HuJSON document with where it starts, so that validation errors can name a line and
/// column. Objects keep their members in document order (duplicate keys are rejected by the reader).
/// </summary>
public sealed class HuJsonValue
{
    private HuJsonValue(HuJsonKind kind, HuJsonPosition position)
    {
        Kind = kind;
        Position = position;
    }

    public HuJsonKind Kind { get; }

    public HuJsonPosition Position { get; }

    /// <summary>Offset (in characters) of the value's first character in the parsed text; 0 for values built in code.</summary>
    public int Start { get; private init; }

    /// <summary>Offset just past the value's last character (a string's closing quote, an object's '}'), so
    /// <c>text[Start..End]</c> is the value as written: what a surgical edit replaces.</summary>
    public int End { get; private init; }

    /// <summary>The decoded string, or the number's literal text.</summary>
    public string Text { get; private init; } = "";

    public IReadOnlyList<HuJsonValue> Items { get; private init; } = [];

    public IReadOnlyList<HuJsonMember> Members { get; private init; } = [];

    public bool IsString => Kind == HuJsonKind.String;

    public static HuJsonValue Scalar(HuJsonKind kind, HuJsonPosition position, string text = "", int start = 0, int end = 0) =>
        new(kind, position) { Text = text, Start = start, End = end };

    public static HuJsonValue ArrayOf(HuJsonPosition position, IReadOnlyList<HuJsonValue> items, int start = 0, int end = 0) =>
        new(HuJsonKind.Array, position) { Items = items, Start = start, End = end };

    public static HuJsonValue ObjectOf(HuJsonPosition position, IReadOnlyList<HuJsonMember> members, int start = 0, int end = 0) =>
        new(HuJsonKind.Object, position) { Members = members, Start = start, End = end };

    public HuJsonMember? Member(string name) => Members.FirstOrDefault(m => m.Name == name);

    /// <summary>Member lookup ignoring ASCII case (Tailscale's policy keys match case-insensitively).</summary>
    public HuJsonMember? MemberIgnoreCase(string name) =>
        Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Standard JSON text (comments and trailing commas gone).</summary>
    public string ToJson()
    {
        var sb = new StringBuilder();
        WriteJson(sb);
        return sb.ToString();
    }

    public void WriteJson(StringBuilder sb)
    {
        switch (Kind)
        {
            case HuJsonKind.Null:
                sb.Append("null");
                break;
            case HuJsonKind.True:
                sb.Append("true");
                break;
            case HuJsonKind.False:
                sb.Append("false");
                break;
            case HuJsonKind.Number:
                sb.Append(Text);
                break;
            case HuJsonKind.String:
                WriteString(sb, Text);
                break;
            case HuJsonKind.Array:
                sb.Append('[');
                for (var i = 0; i < Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Items[i].WriteJson(sb);
                }

                sb.Append(']');
                break;
            case HuJsonKind.Object:
                sb.Append('{');
                for (var i = 0; i < Members.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    WriteString(sb, Members[i].Name);
                    sb.Append(':');
                    Members[i].Value.WriteJson(sb);
                }

                sb.Append('}');
                break;
        }
    }

    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
