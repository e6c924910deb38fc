using System.Text;
using Appliance.Policy.HuJson;

namespace Appliance.Hosting.Identity;

/// <summary>
/// Surgical edits of the identity file's text: a changed field of one person replaces only the characters of its
/// old value (<see cref="HuJsonValue.Start"/>..<see cref="HuJsonValue.End"/>); a new field is inserted after the
/// person's last member, on a line of its own when the object spans lines (indented like that member, with a
/// trailing comma if the file uses them) or inline before the closing brace otherwise. Every comment, blank line,
/// trailing comma and every other byte of the file stays as it was. The result is parsed again and must hold
/// exactly the intended person, or the edit is refused (<see cref="IdentityFileException"/>).
/// </summary>
public static class IdentityTextEdit
{
    /// <summary>The text with <paramref name="login"/>'s fields changed to those of <paramref name="changed"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such person in the file.</exception>
    /// <exception cref="IdentityFileException">The text does not validate before or after the edit.</exception>
    public static string Apply(string text, string login, Person changed)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(changed);
        var before = IdentityFileParser.Parse(text).Find(login) ?? throw new KeyNotFoundException(login);
        if (changed.Login != login)
        {
            throw new ArgumentException("a person's login is changed with an editor, not by a field edit", nameof(changed));
        }

        foreach (var (key, json) in Changes(before, changed))
        {
            text = SetMember(text, login, key, json);
        }

        var after = IdentityFileParser.Parse(text).Find(login);
        if (after is null || !SamePerson(after, changed))
        {
            // A defect here must never reach the disk: the caller writes nothing.
            throw new IdentityFileException(1, 1, $"the edit of \"{login}\" did not produce the intended entry; nothing was written");
        }

        return text;
    }

    /// <summary>Sets one member of one person to a JSON literal (<paramref name="json"/>), replacing or inserting it.</summary>
    public static string SetMember(string text, string login, string key, string json)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = ParseRaw(text);
        var person = root.Member("people")?.Value.Items
            .FirstOrDefault(p => p.Kind == HuJsonKind.Object && p.Member("login")?.Value.Text == login)
            ?? throw new KeyNotFoundException(login);
        if (person.Member(key) is { } existing)
        {
            return string.Concat(text.AsSpan(0, existing.Value.Start), json, text.AsSpan(existing.Value.End));
        }

        var member = new StringBuilder();
        HuJsonValue.WriteString(member, key);
        member.Append(": ").Append(json);
        return Insert(text, person, member.ToString());
    }

    private static string Insert(string text, HuJsonValue person, string member)
    {
        var last = person.Members[^1].Value;
        var pos = last.End;
        SkipBlanks(text, ref pos);
        var comma = pos < text.Length && text[pos] == ',';
        if (comma)
        {
            pos++;
            SkipBlanks(text, ref pos);
        }

        if (pos + 1 < text.Length && text[pos] == '/' && text[pos + 1] == '/')
        {
            while (pos < text.Length && text[pos] is not ('\r' or '\n'))
            {
                pos++;
            }
        }

        var lineEnd = pos < text.Length && text[pos] == '\r' ? pos : pos < text.Length && text[pos] == '\n' ? pos : -1;
        if (lineEnd < 0 || !text.AsSpan(last.End, person.End - last.End).Contains('\n'))
        {
            // One-line object (or something unusual after the last value): add the member before the closing brace,
            // right after the last value, so any trailing comma now follows the new member.
            return string.Concat(text.AsSpan(0, last.End), ", ", member, text.AsSpan(last.End));
        }

        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var line = newline + Indent(text, last.Start) + member + (comma ? "," : "");
        var head = comma ? text[..lineEnd] : string.Concat(text.AsSpan(0, last.End), ",", text.AsSpan(last.End, lineEnd - last.End));
        return head + line + text[lineEnd..];
    }

    private static IEnumerable<(string Key, string Json)> Changes(Person a, Person b)
    {
        if (a.DisplayName != b.DisplayName)
        {
            yield return ("display_name", Json(b.DisplayName));
        }

        if (a.Email != b.Email)
        {
            yield return ("email", Json(b.Email));
        }

        if (!a.Groups.SequenceEqual(b.Groups))
        {
            var groups = new StringBuilder("[");
            groups.AppendJoin(", ", b.Groups.Select(Json));
            yield return ("groups", groups.Append(']').ToString());
        }

        if (a.Role != b.Role)
        {
            yield return ("role", Json(b.Role));
        }

        if (a.Disabled != b.Disabled)
        {
            yield return ("disabled", b.Disabled ? "true" : "false");
        }

        if (a.PasswordHash != b.PasswordHash)
        {
            yield return ("password", Json(b.PasswordHash));
        }

        if (a.TotpSecret != b.TotpSecret)
        {
            yield return ("totp", Json(b.TotpSecret));
        }

        if (a.ClientCertificate != b.ClientCertificate)
        {
            yield return ("client_certificate", Json(b.ClientCertificate));
        }
    }

    private static bool SamePerson(Person a, Person b) =>
        a with { Groups = [] } == b with { Groups = [] } && a.Groups.SequenceEqual(b.Groups);

    private static string Json(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var sb = new StringBuilder();
        HuJsonValue.WriteString(sb, value);
        return sb.ToString();
    }

    internal static string Indent(string text, int offset)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;
        var end = lineStart;
        while (end < text.Length && text[end] is ' ' or '\t')
        {
            end++;
        }

        return text[lineStart..end];
    }

    private static void SkipBlanks(string text, ref int pos)
    {
        while (pos < text.Length && text[pos] is ' ' or '\t')
        {
            pos++;
        }
    }

    private static HuJsonValue ParseRaw(string text)
    {
        try
        {
            return HuJsonReader.Parse(text);
        }
        catch (HuJsonException e)
        {
            throw new IdentityFileException(e.Position.Line, e.Position.Column, e.Reason);
        }
    }
}
