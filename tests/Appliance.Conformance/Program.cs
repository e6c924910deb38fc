using Appliance.Conformance.Saas;

// Usage: dotnet run --project tests/Appliance.Conformance -- DIR
// Runs every scenario under DIR (tailscale-saas format), prints one line per failing scenario and
// "N passed, M failed" last. Exit 0 only when all pass. Set CONFORMANCE_VERBOSE=1 to print every difference.
if (args.Length != 1 || !Directory.Exists(args[0]))
{
    await Console.Error.WriteLineAsync("usage: Appliance.Conformance DIR").ConfigureAwait(false);
    return 2;
}

var verbose = Environment.GetEnvironmentVariable("CONFORMANCE_VERBOSE") == "1";
int passed = 0, failed = 0;
foreach (var file in SaasScenarioLoader.FindFiles(args[0]))
{
    SaasScenario scenario;
    try
    {
        scenario = SaasScenarioLoader.Load(file);
    }
#pragma warning disable CA1031 // an unreadable file is a failing scenario, not the end of the run
    catch (Exception e)
#pragma warning restore CA1031
    {
        failed++;
        Console.WriteLine($"FAIL {Path.GetFileName(file)}: unreadable scenario: {e.Message}");
        continue;
    }

    var diffs = SaasComparer.Run(scenario);
    if (diffs.Count == 0)
    {
        passed++;
        continue;
    }

    failed++;
    Console.WriteLine($"FAIL {scenario.Id}: {diffs[0]}{(diffs.Count > 1 ? $" (+{diffs.Count - 1} more)" : "")}");
    if (verbose)
    {
        foreach (var d in diffs.Skip(1))
        {
            Console.WriteLine("    " + d);
        }
    }
}

Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;
