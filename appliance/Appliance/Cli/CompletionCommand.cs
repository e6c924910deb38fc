using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// `appliance completion bash|zsh|fish` prints a script that asks the hidden `appliance __complete -- WORDS...` for
/// candidates, so completion always matches the installed binary's verbs, options and values (e.g. -o formats).
/// </summary>
public static class CompletionCommand
{
    public const string CompleteVerb = "__complete";

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command(
            "completion",
            "Print a shell completion script: `source <(appliance completion bash)`, or save it as /etc/bash_completion.d/appliance.") { shell };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(parse.GetRequiredValue(shell) switch
            {
                "zsh" => Zsh,
                "fish" => Fish,
                _ => Bash,
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The hidden verb the scripts call; added to the root by <see cref="ApplianceCli.Build"/>.</summary>
    public static Command CreateCompleteVerb()
    {
        var words = new Argument<string[]>("words") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(CompleteVerb, "Print completion candidates for the words typed so far (used by the completion scripts).") { words };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            foreach (var candidate in CompletionCandidates.For(parse.GetValue(words) ?? []))
            {
                parse.InvocationConfiguration.Output.WriteLine(candidate);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private const string Bash = """
        # bash completion for appliance: source <(appliance completion bash)
        _appliance() {
            local cur="${COMP_WORDS[COMP_CWORD]}"
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur"))
        }
        complete -o default -F _appliance appliance

        """;

    private const string Zsh = """
        #compdef appliance
        # zsh completion for appliance: source <(appliance completion zsh), or save as _appliance in $fpath
        _appliance() {
            local -a candidates
            candidates=("${(@f)$(${words[1]} __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
            compadd -a candidates
        }
        compdef _appliance appliance

        """;

    private const string Fish = """
        # fish completion for appliance: appliance completion fish > ~/.config/fish/completions/appliance.fish
        complete -c appliance -f -a '(appliance __complete -- (commandline -opc)[2..-1] (commandline -ct))'

        """;
}
