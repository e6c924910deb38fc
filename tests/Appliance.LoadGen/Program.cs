using System.Text.Json;
using Appliance.LoadGen.Report;
using Appliance.LoadGen.Run;

// appliance-loadgen: see LoadOptions.Usage and docs/benchmarks.md ("Load generator").
// `appliance-loadgen derp ...`: DERP relay throughput from this separate process (Derp/DerpLoadOptions.Usage).
if (args is ["derp", ..])
{
    return await Appliance.LoadGen.Derp.DerpLoadCommand.RunAsync(args[1..], CancellationToken.None);
}

var (options, errors) = LoadOptions.Parse(args);
if (options is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine("appliance-loadgen: " + error);
    }

    Console.Error.WriteLine(LoadOptions.Usage);
    return 64;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    var report = await new LoadRun(options, Console.Error).RunAsync(cancel.Token);
    if (options.JsonPath is { } path)
    {
        // Written beside the target and renamed, so an interrupted run never leaves half a report.
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(report, LoadReportJson.Default.LoadReport));
        File.Move(temporary, path, overwrite: true);
    }

    Console.Write(TextSummary.Render(report));
    return report.Ok ? 0 : 2;
}
catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or OperationCanceledException or Appliance.TestKit.Noise.NoiseUpgradeException or JsonException)
{
    Console.Error.WriteLine($"appliance-loadgen: {e.GetType().Name}: {e.Message}");
    return 1;
}
