using System.Diagnostics;
using Appliance.TestKit;

namespace Appliance.ServerTests.Support;

/// <summary>
/// Runs one of tests/browser's Node scripts (playwright-core driving Debian's headless Chromium) and returns its exit
/// code and output. .ci/run installs chromium and runs `npm ci` there; a missing piece fails with that instruction.
/// </summary>
internal static class BrowserScript
{
    public static string Folder => Path.Combine(RepoPaths.RepoRoot, "tests", "browser");

    /// <summary>Where the scripts save their screenshots (a CI artefact).</summary>
    public static string Screenshots => Path.Combine(RepoPaths.RepoRoot, "TestResults", "screenshots");

    public static async Task<(int Exit, string Output)> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout, string package = "playwright-core")
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "chromium is not installed (apt-get install chromium; .ci/run does)");
        Assert.True(Directory.Exists(Path.Combine(Folder, "node_modules", package)), "run `npm ci` in tests/browser (.ci/run does)");
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
