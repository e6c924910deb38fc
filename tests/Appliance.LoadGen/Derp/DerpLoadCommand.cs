using System.Text.Json;

namespace Appliance.LoadGen.Derp;

/// <summary><c>appliance-loadgen derp ...</c>: parses, runs, writes the JSON and prints every measurement and the medians.</summary>
internal static class DerpLoadCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (options, errors) = DerpLoadOptions.Parse(args);
        if (options is null)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine("appliance-loadgen derp: " + error);
            }

            Console.Error.WriteLine(DerpLoadOptions.Usage);
            return 64;
        }

        var report = await new DerpLoadRun(options, Console.Out).RunAsync(cancellationToken);
        if (options.JsonPath is { } path)
        {
            var temporary = path + ".tmp";
            await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(report, DerpLoadReportJson.Default.DerpLoadReport), cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }

        Console.Write(report.Summary());
        return report.Ok ? 0 : 2;
    }
}
