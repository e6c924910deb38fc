using System.Globalization;

namespace Appliance.LoadGen.Derp;

/// <summary>Settings of <c>appliance-loadgen derp</c>: relay throughput from a separate client process (docs/benchmarks.md, "DERP relay").</summary>
internal sealed record DerpLoadOptions
{
    public const string Usage = """
        usage: appliance-loadgen derp --derp URL [options]
          --derp URL              the relay's plain-HTTP base URL, e.g. http://127.0.0.1:8080 (the appliance needs
                                  derp.allow_plain_http and derp.verify_clients: false)
          --pairs N[,N...]        sender/receiver pairs per measurement (default 1,10,50)
          --rounds R              rounds; each round measures every pair count once, interleaved (default 3),
                                  after one unrecorded pass at the largest pair count (the relay's JIT warm-up)
          --packets P             packets relayed per measurement, split over the pairs (default 200000)
          --size BYTES            packet size (default 1400)
          --window W              packets in flight per pair (sent, not yet received; default 256)
          --server-pid PID        read the relay's CPU seconds from /proc/PID (same host)
          --json FILE             write every measurement as JSON
          --stall-timeout S       a measurement fails when a pair sees no packet for S seconds (default 20): the
                                  relay dropped or stalled (the figures are loss-free only); exit 2 then
        """;

    public required Uri Derp { get; init; }

    public IReadOnlyList<int> Pairs { get; init; } = [1, 10, 50];

    public int Rounds { get; init; } = 3;

    public int Packets { get; init; } = 200_000;

    public int Size { get; init; } = 1400;

    public int Window { get; init; } = 256;

    public int? ServerPid { get; init; }

    public string? JsonPath { get; init; }

    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public static (DerpLoadOptions? Options, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var errors = new List<string>();
        Uri? derp = null;
        var options = new DerpLoadOptions { Derp = new Uri("http://127.0.0.1/") };
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count)
            {
                errors.Add($"{name} needs a value");
                break;
            }

            var value = args[++i];
            switch (name)
            {
                case "--derp":
                    derp = Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == "http" ? uri : null;
                    if (derp is null)
                    {
                        errors.Add($"--derp must be an http:// URL (got '{value}')");
                    }

                    break;
                case "--pairs":
                    var pairs = value.Split(',').Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0).ToList();
                    if (pairs.Contains(0))
                    {
                        errors.Add($"--pairs must be positive numbers separated by commas (got '{value}')");
                    }

                    options = options with { Pairs = pairs };
                    break;
                case "--rounds":
                    options = options with { Rounds = Positive(name, value, errors) };
                    break;
                case "--packets":
                    options = options with { Packets = Positive(name, value, errors) };
                    break;
                case "--size":
                    options = options with { Size = Positive(name, value, errors) };
                    break;
                case "--window":
                    options = options with { Window = Positive(name, value, errors) };
                    break;
                case "--server-pid":
                    options = options with { ServerPid = Positive(name, value, errors) };
                    break;
                case "--stall-timeout":
                    options = options with { StallTimeout = TimeSpan.FromSeconds(Positive(name, value, errors)) };
                    break;
                case "--json":
                    options = options with { JsonPath = value };
                    break;
                default:
                    errors.Add($"unknown option {name}");
                    break;
            }
        }

        if (derp is null && errors.Count == 0)
        {
            errors.Add("--derp is required");
        }

        if (options.Size > Protocol.Derp.DerpConstants.MaxPacketSize)
        {
            errors.Add($"--size must be at most {Protocol.Derp.DerpConstants.MaxPacketSize}");
        }

        return errors.Count > 0 ? (null, errors) : (options with { Derp = derp! }, errors);
    }

    private static int Positive(string name, string value, List<string> errors)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            return n;
        }

        errors.Add($"{name} must be a positive number (got '{value}')");
        return 1;
    }
}
