using Appliance.Hosting.Identity;

namespace Appliance.Hosting.Tests.Identity;

/// <summary>Adding a person to the identity file's text (the console's "Add person"): every other byte stays.</summary>
public sealed class IdentityPersonInsertTests
{
    private static readonly Person Zoe = new("zoe@site", "Zoe \"Z\" \\ <x> é", "zoe@example.org", [], "auditor", false, null, null, null);

    [Theory]
    [InlineData("{\n  // people of the site\n  \"people\": [\n    {\"login\": \"a@site\", \"role\": \"admin\"}, // first\n  ],\n}\n")]
    [InlineData("{\"people\": [{\"login\": \"a@site\", \"role\": \"admin\"}]}")]
    [InlineData("{\r\n  \"people\": [\r\n    {\r\n      \"login\": \"a@site\",\r\n      \"role\": \"admin\"\r\n    }\r\n  ]\r\n}\r\n")]
    [InlineData("{\"people\": []}")]
    [InlineData("{\"people\": [ ]} // end")]
    public void The_new_person_is_added_and_everything_else_stays(string text)
    {
        var added = IdentityPersonInsert.Add(text, Zoe);
        var document = IdentityFileParser.Parse(added);
        Assert.Equal(Zoe with { Groups = [] }, document.Find("zoe@site")! with { Groups = [] });
        Assert.Equal(IdentityFileParser.Parse(text).People.Count + 1, document.People.Count);

        // Every line of the old text is still there, comments included (a one-line file gains the entry inside its line).
        foreach (var line in text.Contains('\n', StringComparison.Ordinal) ? text.Split('\n').Where(l => l.Trim().Length > 0) : [])
        {
            Assert.Contains(line.TrimEnd('\r').Trim(), added, StringComparison.Ordinal);
        }

        Assert.Equal(text.Contains("\r\n", StringComparison.Ordinal), added.Contains("\r\n", StringComparison.Ordinal));
        Assert.Equal(text.Count(c => c == '\n') + (text.Contains('\n', StringComparison.Ordinal) ? 1 : text.Contains("[]", StringComparison.Ordinal) || text.Contains("[ ]", StringComparison.Ordinal) ? 2 : 0),
            added.Count(c => c == '\n'));
    }

    [Fact]
    public void A_login_already_in_the_file_or_an_invalid_one_is_refused()
    {
        const string text = "{\"people\": [{\"login\": \"zoe@site\", \"role\": \"admin\"}]}";
        Assert.Throws<IdentityFileException>(() => IdentityPersonInsert.Add(text, Zoe));
        Assert.Throws<IdentityFileException>(() => IdentityPersonInsert.Add("{\"people\": []}", Zoe with { Login = "no-domain" }));
        Assert.Throws<IdentityFileException>(() => IdentityPersonInsert.Add("{\"people\": [}", Zoe));
        Assert.Throws<IdentityFileException>(() => IdentityPersonInsert.Add("{\"people\": []}", Zoe with { DisplayName = "two\nlines" }));
    }

    [Fact]
    public void A_new_file_holds_only_the_person()
    {
        var document = IdentityFileParser.Parse(IdentityPersonInsert.NewFile(Zoe with { PasswordHash = null, Disabled = true }));
        Assert.True(Assert.Single(document.People).Disabled);
    }
}
