using Appliance.State.Identity;

namespace Appliance.Hosting.Identity;

/// <summary>
/// One person of the identity file. <see cref="Login"/> is the login name policies use (<c>alice@site</c>);
/// <see cref="PasswordHash"/> is an Argon2id PHC string (<see cref="PasswordHasher"/>); <see cref="TotpSecret"/> is
/// RFC 4648 base32; <see cref="ClientCertificate"/> is a certificate subject or <c>sha256:HEX</c> fingerprint.
/// </summary>
public sealed record Person(
    string Login,
    string? DisplayName,
    string? Email,
    IReadOnlyList<string> Groups,
    string Role,
    bool Disabled,
    string? PasswordHash,
    string? TotpSecret,
    string? ClientCertificate)
{
    /// <summary>What the database keeps of this person (no secrets).</summary>
    public PersonEntry ToEntry() => new(Login, DisplayName, Email, Role, Groups, Disabled);
}

/// <summary>The roles a person can have, as Tailscale names them (kb/1138); each but member has its autogroup.</summary>
public static class PersonRoles
{
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = ["owner", "admin", "network-admin", "it-admin", "billing-admin", "auditor", Member];
}

/// <summary>A parsed, validated identity file: an immutable snapshot, swapped whole on reload.</summary>
public sealed class IdentityDocument
{
    public static readonly IdentityDocument Empty = new([]);

    public IdentityDocument(IReadOnlyList<Person> people)
    {
        People = people;
        ByLogin = people.ToDictionary(p => p.Login, StringComparer.Ordinal);
    }

    public IReadOnlyList<Person> People { get; }

    public IReadOnlyDictionary<string, Person> ByLogin { get; }

    public Person? Find(string login) => ByLogin.GetValueOrDefault(login);
}
