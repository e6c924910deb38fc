using Appliance.State.Identity;

namespace Appliance.State.Tests.Identity;

public sealed class NameRulesTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("alice.smith@example.mil")]
    [InlineData("ops_team-2")]
    [InlineData("7th")]
    public void Valid_user_names_pass(string name) => Assert.Null(NameRules.CheckUserName(name));

    [Theory]
    [InlineData("")]
    [InlineData("Alice")]
    [InlineData("-alice")]
    [InlineData("al ice")]
    [InlineData("alice/bob")]
    public void Invalid_user_names_are_explained(string name) => Assert.NotNull(NameRules.CheckUserName(name));

    [Fact]
    public void A_user_name_longer_than_a_label_is_refused() =>
        Assert.Contains("at most 63", NameRules.CheckUserName(new string('a', 64)), StringComparison.Ordinal);

    [Theory]
    [InlineData("tag:server")]
    [InlineData("tag:Web-2")]
    public void Valid_tags_pass(string tag) => Assert.Null(NameRules.CheckTag(tag));

    [Theory]
    [InlineData("server")]
    [InlineData("tag:")]
    [InlineData("tag:2web")]
    [InlineData("tag:web_server")]
    [InlineData("TAG:web")]
    public void Invalid_tags_are_explained(string tag) => Assert.NotNull(NameRules.CheckTag(tag));

    [Fact]
    public void A_tag_listed_twice_is_refused() =>
        Assert.Contains("twice", NameRules.CheckTags(["tag:a", "tag:a"]), StringComparison.Ordinal);

    [Theory]
    [InlineData("web")]
    [InlineData("web-1")]
    [InlineData("1")]
    public void Valid_node_names_pass(string name) => Assert.Null(NameRules.CheckNodeName(name));

    [Theory]
    [InlineData("")]
    [InlineData("-web")]
    [InlineData("web-")]
    [InlineData("Web")]
    [InlineData("web.example")]
    [InlineData("web_1")]
    public void Invalid_node_names_are_explained(string name) => Assert.NotNull(NameRules.CheckNodeName(name));
}
