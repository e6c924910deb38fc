namespace Appliance.Hosting.Configuration;

/// <summary>
/// One configuration problem: the dotted key it concerns (`server.listen`), what is wrong and how to fix it, and
/// where the value came from (a file line or an environment variable) when known.
/// </summary>
public sealed record ConfigProblem(string Key, string Message, string? Source = null)
{
    public override string ToString() => Source is null ? $"{Key}: {Message}" : $"{Key}: {Message} ({Source})";
}
