namespace Appliance.Policy.Compilation;

/// <summary>Settings of the server that the compiled result depends on.</summary>
public sealed record CompileOptions
{
    public static readonly CompileOptions Default = new();

    /// <summary>
    /// The control server's URL; SSH "check" rules tell the destination node to ask
    /// <c>{ControlUrl}/machine/ssh/action/...</c>.
    /// </summary>
    public string ControlUrl { get; init; } = "https://unused";

    /// <summary>Login domains of this tailnet; null means the first user's e-mail domain.</summary>
    public IReadOnlyList<string>? TailnetDomains { get; init; }

    /// <summary>
    /// Run the policy's <c>tests</c>/<c>sshTests</c> (default). The server turns this off when it recompiles an
    /// accepted policy for a changed topology: tests gate a policy change, not a node joining.
    /// </summary>
    public bool RunTests { get; init; } = true;
}
