using Appliance.Hosting.Configuration;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Systemd;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Hosting.Tests.Identity;

/// <summary>
/// Random mutations of a valid identity file (seeded, so a failure repeats): the parser either returns a whole
/// document or throws its own <see cref="IdentityFileException"/> with a line and column; and the service never
/// applies part of a file: after each reload the live identity is either the previous one or exactly the new file.
/// </summary>
public sealed class IdentityFileFuzzTests
{
    internal const string Valid = """
        // people of the site
        {
          "people": [
            { "login": "alice@site", "display_name": "Alice", "email": "alice@example.org", "groups": ["ops", "group:dev"],
              "role": "admin", "password": "$argon2id$v=19$m=1024,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
              "totp": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "client_certificate": "CN=alice" },
            { "login": "bob@site", "role": "auditor", "disabled": true, /* gone on leave */ },
            { "login": "carol@site", "groups": [], },
          ],
        }
        """;

    private const string Alphabet = "{}[]\",:/*\n \t\\@$=aA0-_tfn\u00e9\u0000";

    [Fact]
    public void The_unmutated_file_parses()
    {
        var document = IdentityFileParser.Parse(Valid);

        Assert.Equal(["alice@site", "bob@site", "carol@site"], document.People.Select(p => p.Login));
        Assert.Equal(["ops", "dev"], document.Find("alice@site")!.Groups);
        Assert.True(document.Find("bob@site")!.Disabled);
    }

    [Fact]
    public void Mutations_either_parse_whole_or_fail_with_a_position()
    {
        var random = new Random(1400);
        int refused = 0, accepted = 0;
        for (var i = 0; i < 5000; i++)
        {
            var text = Mutate(Valid, random);
            try
            {
                var document = IdentityFileParser.Parse(text);
                Assert.All(document.People, p => Assert.Contains('@', p.Login));
                accepted++;
            }
            catch (IdentityFileException e)
            {
                Assert.InRange(e.Line, 1, text.Count(c => c == '\n') + 2);
                Assert.True(e.Column >= 1, e.Message);
                Assert.False(string.IsNullOrWhiteSpace(e.Reason));
                refused++;
            }
        }

        // Both outcomes must occur, or the mutator is not exercising the parser.
        Assert.True(refused > 100, $"refused {refused}");
        Assert.True(accepted > 10, $"accepted {accepted}");
    }

    [Fact]
    public void Random_bytes_fail_with_the_parsers_own_error()
    {
        var random = new Random(1401);
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 200)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(4) == 0 ? (char)random.Next(0, 0xD7FF) : Alphabet[random.Next(Alphabet.Length)];
            }

            var text = new string(chars);
            var error = Record.Exception(() => IdentityFileParser.Parse(text));
            Assert.True(error is null or IdentityFileException, $"{error?.GetType().Name}: {error?.Message} for {text}");
        }
    }

    [Fact]
    public void The_service_applies_a_mutated_file_whole_or_not_at_all()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "identity.hujson");
        File.WriteAllText(path, Valid);
        var writer = new RecordingWriter();
        using var service = new IdentityFileService(
            new IdentityOptions { File = path, Reload = false }, writer, new ReloadSignal(NullLogger<ReloadSignal>.Instance),
            TimeProvider.System, NullLogger<IdentityFileService>.Instance);
        Assert.True(service.Reload());

        var random = new Random(1402);
        for (var i = 0; i < 300; i++)
        {
            var before = service.Current;
            var applies = writer.Applied.Count;
            var text = Mutate(Valid, random);
            File.WriteAllText(path, text);

            if (service.Reload())
            {
                Assert.Equal(applies + 1, writer.Applied.Count);
                Assert.Equal(service.Current.People.Select(p => p.ToEntry().Name), writer.Applied[^1].Select(p => p.Name));
                Assert.Equal(IdentityFileParser.Parse(text).People, service.Current.People, PersonEquals);
            }
            else
            {
                Assert.Same(before, service.Current);
                Assert.Equal(applies, writer.Applied.Count);
                Assert.NotNull(service.LastError);
            }
        }
    }

    internal static string Mutate(string text, Random random)
    {
        var chars = text.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && chars.Count > 0; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(5))
            {
                case 0: chars.RemoveAt(at); break;
                case 1: chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                case 2: chars[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                case 3: chars.RemoveRange(at, chars.Count - at); break; // truncation
                default:
                    var length = Math.Min(random.Next(1, 40), chars.Count - at);
                    chars.InsertRange(random.Next(chars.Count), chars.GetRange(at, length)); // duplication
                    break;
            }
        }

        return new string([.. chars]);
    }

    private static bool PersonEquals(Person a, Person b) =>
        a.Login == b.Login && a.Role == b.Role && a.Disabled == b.Disabled && a.PasswordHash == b.PasswordHash
        && a.TotpSecret == b.TotpSecret && a.Groups.SequenceEqual(b.Groups);

    private sealed class RecordingWriter : IIdentityStateWriter
    {
        public List<IReadOnlyList<PersonEntry>> Applied { get; } = [];

        public PeopleApplyResult ApplyPeople(IReadOnlyList<PersonEntry> people, bool expireNodesOfDisabled)
        {
            Applied.Add(people);
            return new PeopleApplyResult(0, 0, people.Count, []);
        }

        public RegistrationApproval Register(string registrationId, string login) => throw new InvalidOperationException("not in this test");

        public bool Reject(string registrationId, string reason) => false;

        public PendingRegistration? FindPending(string registrationId) => null;
    }
}

/// <summary>A temporary folder removed at the end of a test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("identity-test-").FullName;
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
