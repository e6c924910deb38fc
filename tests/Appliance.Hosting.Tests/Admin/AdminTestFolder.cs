namespace Appliance.Hosting.Tests.Admin;

/// <summary>
/// A short temporary folder (a Unix socket path must fit in 107 bytes), deleted with its contents at the end.
/// </summary>
public sealed class AdminTestFolder : IDisposable
{
    public AdminTestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aht-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string DataDir => System.IO.Path.Combine(Path, "data");

    /// <summary>
    /// Creates the data folder and its database as `serve` does on first start: operator verbs never create one
    /// (issue 13), so CLI tests start from an initialised folder.
    /// </summary>
    public AdminTestFolder WithDatabase()
    {
        var options = new Appliance.Hosting.Configuration.ApplianceOptions();
        options.Server.DataDir = DataDir;
        var opened = Appliance.Hosting.Startup.ApplianceState.TryOpen(Appliance.Hosting.Configuration.AppliancePaths.From(options));
        using var state = opened.State ?? throw new InvalidOperationException(opened.Message);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
