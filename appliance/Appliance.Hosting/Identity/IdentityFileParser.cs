using Appliance.Policy.HuJson;
using Appliance.State.Identity;

namespace Appliance.Hosting.Identity;

/// <summary>
/// Reads the identity file (HuJSON: JSON with comments and trailing commas, the policy's format; decision 0083).
/// <code>
/// { "people": [ { "login": "alice@site", "display_name": "Alice", "email": "alice@example.org",
///                 "groups": ["ops"], "role": "admin", "disabled": false,
///                 "password": "$argon2id$v=19$m=65536,t=3,p=1$...", "totp": "BASE32", "client_certificate": "CN=alice" } ] }
/// </code>
/// Every problem is an <see cref="IdentityFileException"/> with the line and column it is at. Unknown keys are
/// refused (a typo such as "passwd" must not silently leave a person without a password). Bounded: the HuJSON
/// reader's 16 MiB and depth limits, and at most <see cref="MaxPeople"/> people.
/// </summary>
public static class IdentityFileParser
{
    public const int MaxPeople = 100_000;

    private static readonly string[] Keys =
        ["login", "display_name", "email", "groups", "role", "disabled", "password", "totp", "client_certificate"];

    public static IdentityDocument Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        HuJsonValue root;
        try
        {
            root = HuJsonReader.Parse(text);
        }
        catch (HuJsonException e)
        {
            throw new IdentityFileException(e.Position.Line, e.Position.Column, e.Reason);
        }

        if (root.Kind != HuJsonKind.Object)
        {
            throw Error(root.Position, "the identity file must be an object with a \"people\" array");
        }

        HuJsonValue? people = null;
        foreach (var member in root.Members)
        {
            if (member.Name != "people")
            {
                throw Error(member.Position, $"unknown key \"{member.Name}\" (only \"people\")");
            }

            people = member.Value;
        }

        if (people is not { Kind: HuJsonKind.Array })
        {
            throw Error(people?.Position ?? root.Position, "\"people\" must be an array");
        }

        if (people.Items.Count > MaxPeople)
        {
            throw Error(people.Position, $"at most {MaxPeople} people");
        }

        var result = new List<Person>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var certificates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in people.Items)
        {
            var person = ReadPerson(item);
            if (!seen.Add(person.Login))
            {
                throw Error(item.Position, $"\"{person.Login}\" is listed twice");
            }

            // One certificate must never log in two people: the page could not know which one is meant.
            if (person.ClientCertificate is { } certificate && !certificates.TryAdd(ClientCertificateField.Key(certificate), person.Login))
            {
                throw Error(item.Member("client_certificate")!.Value.Position,
                    $"\"{person.Login}\" has the same client_certificate as \"{certificates[ClientCertificateField.Key(certificate)]}\"");
            }

            result.Add(person);
        }

        return new IdentityDocument(result);
    }

    private static Person ReadPerson(HuJsonValue entry)
    {
        if (entry.Kind != HuJsonKind.Object)
        {
            throw Error(entry.Position, "each person must be an object");
        }

        foreach (var member in entry.Members)
        {
            if (!Keys.Contains(member.Name))
            {
                throw Error(member.Position, $"unknown key \"{member.Name}\" (one of {string.Join(", ", Keys)})");
            }
        }

        var login = String(entry, "login") ?? throw Error(entry.Position, "\"login\" is required");
        if (NameRules.CheckUserName(login) is { } problem)
        {
            throw Error(entry.Member("login")!.Value.Position, problem);
        }

        if (!login.Contains('@', StringComparison.Ordinal) || login.EndsWith('@'))
        {
            throw Error(entry.Member("login")!.Value.Position, $"\"{login}\": a login is written as policies write users, name@domain");
        }

        var role = String(entry, "role") ?? PersonRoles.Member;
        if (!PersonRoles.All.Contains(role))
        {
            throw Error(entry.Member("role")!.Value.Position, $"\"{role}\" is not a role (one of {string.Join(", ", PersonRoles.All)})");
        }

        var groups = new List<string>();
        if (entry.Member("groups") is { Value: var g } && g.Kind != HuJsonKind.Null)
        {
            if (g.Kind != HuJsonKind.Array)
            {
                throw Error(g.Position, "\"groups\" must be an array of group names");
            }

            foreach (var item in g.Items)
            {
                var name = item.Kind == HuJsonKind.String ? item.Text : throw Error(item.Position, "a group name must be a string");
                name = name.StartsWith("group:", StringComparison.Ordinal) ? name[6..] : name;
                if (name.Length == 0 || name.Length > 63 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                {
                    throw Error(item.Position, $"\"{item.Text}\" is not a group name (letters, digits, - _ .; used as group:NAME)");
                }

                if (!groups.Contains(name))
                {
                    groups.Add(name);
                }
            }
        }

        var disabled = false;
        if (entry.Member("disabled") is { Value: var d })
        {
            disabled = d.Kind switch
            {
                HuJsonKind.True => true,
                HuJsonKind.False or HuJsonKind.Null => false,
                _ => throw Error(d.Position, "\"disabled\" must be true or false"),
            };
        }

        var password = String(entry, "password");
        if (password is not null && !PasswordHasher.TryParse(password, out _, out var why))
        {
            throw Error(entry.Member("password")!.Value.Position, why);
        }

        var totp = String(entry, "totp");
        if (totp is not null && !TotpSecret.IsValid(totp))
        {
            throw Error(entry.Member("totp")!.Value.Position, "\"totp\" must be a base32 secret of at least 16 characters (appliance users totp enroll)");
        }

        var certificate = String(entry, "client_certificate");
        if (certificate is not null && ClientCertificateField.Problem(certificate) is { } wrong)
        {
            throw Error(entry.Member("client_certificate")!.Value.Position, wrong);
        }

        return new Person(login, String(entry, "display_name"), String(entry, "email"), groups, role, disabled,
            password, totp, certificate);
    }

    private static string? String(HuJsonValue entry, string key)
    {
        var member = entry.Member(key);
        if (member is null || member.Value.Kind == HuJsonKind.Null)
        {
            return null;
        }

        if (member.Value.Kind != HuJsonKind.String)
        {
            throw Error(member.Value.Position, $"\"{key}\" must be a string");
        }

        if (member.Value.Text.Length > 4096 || member.Value.Text.Any(char.IsControl))
        {
            throw Error(member.Value.Position, $"\"{key}\" is too long or holds control characters");
        }

        return string.IsNullOrWhiteSpace(member.Value.Text) ? null : member.Value.Text;
    }

    private static IdentityFileException Error(HuJsonPosition position, string reason) => new(position.Line, position.Column, reason);
}
