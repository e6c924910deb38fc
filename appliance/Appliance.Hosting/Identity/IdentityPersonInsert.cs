using System.Text;
using Appliance.Policy.HuJson;

namespace Appliance.Hosting.Identity;

/// <summary>
/// Adds one person to the identity file's text without touching any other byte (the console's "add person"): the
/// new entry goes on a line of its own after the last person, indented like them, with a trailing comma when the
/// file uses them. The result is parsed again and must hold the intended person, or the edit is refused
/// (<see cref="IdentityFileException"/>); the caller writes it with <see cref="IdentityFileWriter.Replace"/>.
/// </summary>
public static class IdentityPersonInsert
{
    /// <summary>A new identity file holding only <paramref name="person"/> (there was no file yet).</summary>
    public static string NewFile(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return "{\n  \"people\": [\n    " + Entry(person) + ",\n  ],\n}\n";
    }

    /// <exception cref="IdentityFileException">The text does not validate, or already lists <paramref name="person"/>'s login.</exception>
    public static string Add(string text, Person person)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(person);
        if (IdentityFileParser.Parse(text).Find(person.Login) is not null)
        {
            throw new IdentityFileException(1, 1, $"\"{person.Login}\" is already in the identity file");
        }

        HuJsonValue root;
        try
        {
            root = HuJsonReader.Parse(text);
        }
        catch (HuJsonException e)
        {
            throw new IdentityFileException(e.Position.Line, e.Position.Column, e.Reason);
        }

        var people = root.Member("people")!.Value;
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        string result;
        if (people.Items.Count == 0)
        {
            // "[]" or "[ ]": open the array onto lines of its own.
            var indent = IdentityTextEdit.Indent(text, people.Start);
            result = text[..(people.Start + 1)] + newline + indent + "  " + Entry(person) + "," + newline + indent + text[(people.End - 1)..];
        }
        else
        {
            var last = people.Items[^1];
            var indent = IdentityTextEdit.Indent(text, last.Start);
            var pos = SkipBlanks(text, last.End);
            var comma = pos < text.Length && text[pos] == ',';
            var after = comma ? pos + 1 : last.End;

            // A comment that ends the last person's line stays on that line: the new entry goes on the next one.
            var lineEnd = SkipBlanks(text, after);
            if (lineEnd + 1 < text.Length && text[lineEnd] == '/' && text[lineEnd + 1] == '/')
            {
                while (lineEnd < text.Length && text[lineEnd] is not ('\r' or '\n'))
                {
                    lineEnd++;
                }
            }

            var entry = Entry(person) + (comma ? "," : "");
            result = lineEnd < text.Length && text[lineEnd] is '\r' or '\n'
                ? (comma ? text[..lineEnd] : text[..last.End] + "," + text[last.End..lineEnd]) + newline + indent + entry + text[lineEnd..]
                : (comma ? text[..after] : text[..last.End] + ",") + " " + entry + text[after..];
        }

        if (IdentityFileParser.Parse(result).Find(person.Login) is not { } added || added with { Groups = [] } != person with { Groups = [] })
        {
            throw new IdentityFileException(1, 1, $"adding \"{person.Login}\" did not produce the intended entry; nothing was written");
        }

        return result;
    }

    /// <summary>One line of HuJSON for <paramref name="person"/> (no groups: those are the file's to give).</summary>
    private static string Entry(Person person)
    {
        var sb = new StringBuilder("{");
        void Field(string key, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (sb.Length > 1)
            {
                sb.Append(", ");
            }

            HuJsonValue.WriteString(sb, key);
            sb.Append(": ");
            HuJsonValue.WriteString(sb, value);
        }

        Field("login", person.Login);
        Field("display_name", person.DisplayName);
        Field("email", person.Email);
        Field("role", person.Role);
        Field("password", person.PasswordHash);
        Field("totp", person.TotpSecret);
        Field("client_certificate", person.ClientCertificate);
        if (person.Disabled)
        {
            sb.Append(", \"disabled\": true");
        }

        return sb.Append('}').ToString();
    }

    private static int SkipBlanks(string text, int pos)
    {
        while (pos < text.Length && text[pos] is ' ' or '\t')
        {
            pos++;
        }

        return pos;
    }
}
