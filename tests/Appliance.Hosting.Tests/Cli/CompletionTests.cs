using Appliance.Cli;
using Appliance.Hosting.Tests.Admin;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>`appliance completion bash|zsh|fish` and the hidden `__complete` verb the scripts call.</summary>
public sealed class CompletionTests
{
    [Theory]
    [InlineData("nod", "nodes")]
    [InlineData("nodes|li", "list,list-routes")]
    [InlineData("users|list|-o|", "json,json-line,table,yaml")]
    [InlineData("ca|export|--format|", "der,pem,pin")]
    [InlineData("users|list|--d", "--data-dir")]
    [InlineData("completion|", "bash,fish,zsh")]
    public void Candidates_are_the_verbs_options_and_values_that_fit(string typed, string expected) =>
        Assert.Equal(expected.Split(','), CompletionCandidates.For(typed.Split('|')));

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_bash_script_loads_in_bash_and_completes_a_verb_and_an_output_format()
    {
        using var folder = new AdminTestFolder();
        var script = """
            source <(appliance completion bash) || exit 3
            complete -p appliance || exit 4
            COMP_WORDS=(appliance nod); COMP_CWORD=1; _appliance; echo "verb: ${COMPREPLY[*]}"
            COMP_WORDS=(appliance users list -o j); COMP_CWORD=4; _appliance; echo "format: ${COMPREPLY[*]}"
            """;

        var result = await ApplianceProcess.BashAsync(folder.Path, script);

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.Contains("complete -o default -F _appliance appliance", result.Out, StringComparison.Ordinal);
        Assert.Contains("verb: nodes\n", result.Out, StringComparison.Ordinal);
        Assert.Contains("format: json json-line\n", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zsh", "compdef _appliance appliance")]
    [InlineData("fish", "complete -c appliance")]
    public async Task Zsh_and_fish_scripts_call_the_same_hidden_verb(string shell, string registration)
    {
        var result = await CliRun.RunAsync("completion", shell);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(registration, result.Out, StringComparison.Ordinal);
        Assert.Contains("__complete --", result.Out, StringComparison.Ordinal);
    }
}
