using System.Globalization;

namespace Appliance.LoadGen.Run;

/// <summary>The generator's settings; <see cref="Parse"/> reads them from the command line (usage in <see cref="Usage"/>).</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        usage: appliance-loadgen --control URL --key PREAUTHKEY [options]
          --control URL           the control server (GET /key, POST /ts2021), e.g. http://127.0.0.1:8080
          --key KEY               a reusable pre-auth key; the tailnet should hold no other nodes and allow all
          --nodes N               simulated nodes (default 100)
          --concurrency C         registrations in flight at once (default 32)
          --rounds R              endpoint-change rounds (default 20)
          --joins J               nodes joining one at a time after convergence (default 10)
          --light                 light mode: all but --full-nodes nodes only count peers
          --full-nodes K          nodes holding a full netmap in light mode (default 50)
          --server-pid PID        read the server's CPU and RSS from /proc/PID (same host)
          --json FILE             write the report as JSON
          --converge-timeout S    seconds to wait for every node to hold every peer (default 60 + N/20)
          --round-timeout S       seconds a change or join may take to reach everyone (default 15)
          --settle S              seconds to wait before reading the settled RSS (default 3)
          --prefix NAME           hostname prefix (default lg)
        exit: 0 every node converged and saw every change; 2 some did not (see the report); 64 bad usage; 1 error.
        """;

    public required Uri Control { get; init; }

    public required string AuthKey { get; init; }

    public int Nodes { get; init; } = 100;

    public int Concurrency { get; init; } = 32;

    public int Rounds { get; init; } = 20;

    public int Joins { get; init; } = 10;

    public bool Light { get; init; }

    public int FullNodes { get; init; } = 50;

    public int? ServerPid { get; init; }

    public string? JsonPath { get; init; }

    public TimeSpan? ConvergeTimeoutOverride { get; init; }

    public TimeSpan ConvergeTimeout => ConvergeTimeoutOverride ?? TimeSpan.FromSeconds(60 + (Nodes / 20));

    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(3);

    public string Prefix { get; init; } = "lg";

    /// <summary>Parses <paramref name="args"/>; on a problem returns null and every error found.</summary>
    public static (LoadOptions? Options, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var errors = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var light = false;
        string[] valued = ["--control", "--key", "--nodes", "--concurrency", "--rounds", "--joins", "--full-nodes", "--server-pid", "--json", "--converge-timeout", "--round-timeout", "--settle", "--prefix"];
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--light")
            {
                light = true;
            }
            else if (valued.Contains(args[i]))
            {
                if (i + 1 >= args.Count)
                {
                    errors.Add($"{args[i]} needs a value");
                }
                else
                {
                    values[args[i]] = args[++i];
                }
            }
            else
            {
                errors.Add($"unknown argument '{args[i]}'");
            }
        }

        Uri? control = null;
        if (!values.TryGetValue("--control", out var controlText))
        {
            errors.Add("--control is required");
        }
        else if (!Uri.TryCreate(controlText, UriKind.Absolute, out control) || control.Scheme is not ("http" or "https"))
        {
            errors.Add($"--control '{controlText}' is not an http(s) URL");
        }

        if (!values.TryGetValue("--key", out var key) || string.IsNullOrWhiteSpace(key))
        {
            errors.Add("--key is required");
        }

        int Int(string name, int fallback, int min)
        {
            if (!values.TryGetValue(name, out var text))
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
            {
                errors.Add($"{name} '{text}' must be a whole number ≥ {min}");
                return fallback;
            }

            return value;
        }

        TimeSpan? Seconds(string name)
        {
            if (!values.TryGetValue(name, out var text))
            {
                return null;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > 86_400)
            {
                errors.Add($"{name} '{text}' must be seconds > 0");
                return null;
            }

            return TimeSpan.FromSeconds(value);
        }

        var options = new LoadOptions
        {
            Control = control!,
            AuthKey = key ?? "",
            Nodes = Int("--nodes", 100, 2),
            Concurrency = Int("--concurrency", 32, 1),
            Rounds = Int("--rounds", 20, 0),
            Joins = Int("--joins", 10, 0),
            Light = light,
            FullNodes = Int("--full-nodes", 50, 1),
            ServerPid = values.ContainsKey("--server-pid") ? Int("--server-pid", 0, 1) : null,
            JsonPath = values.GetValueOrDefault("--json"),
            ConvergeTimeoutOverride = Seconds("--converge-timeout"),
            RoundTimeout = Seconds("--round-timeout") ?? TimeSpan.FromSeconds(15),
            Settle = Seconds("--settle") ?? TimeSpan.FromSeconds(3),
            Prefix = values.GetValueOrDefault("--prefix") ?? "lg",
        };
        if (options.Prefix.Length is 0 or > 40 || !options.Prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            errors.Add($"--prefix '{options.Prefix}' must be 1-40 letters, digits or '-' (it starts every hostname)");
        }

        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    /// <summary>Whether node <paramref name="index"/> keeps a full netmap (always outside light mode).</summary>
    public bool IsFull(int index) => !Light || index < FullNodes;
}
