using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Tls;
using Microsoft.AspNetCore.Builder;
using Serilog;

namespace Appliance.Hosting.Tests.Docs;

/// <summary>
/// A temporary appliance for the executed docs: the real composition root on ephemeral loopback ports, its data in
/// &lt;work&gt;/data (so `appliance ...` run in &lt;work&gt; finds it by default), and &lt;work&gt;/appliance.yaml
/// describing it (what the docs' `-c /etc/appliance/appliance.yaml` is rewritten to).
/// </summary>
public sealed class DocsAppliance : IAsyncDisposable
{
    private readonly ApplianceState _state;
    private readonly WebApplication _app;

    private DocsAppliance(string work, ApplianceState state, WebApplication app, string listen)
    {
        Work = work;
        _state = state;
        _app = app;
        Listen = listen;
    }

    public string Work { get; }

    public string DataDir => Path.Combine(Work, "data");

    public string ConfigFile => Path.Combine(Work, "appliance.yaml");

    /// <summary>The bound control listener, IP:PORT.</summary>
    public string Listen { get; }

    public static async Task<DocsAppliance> StartAsync(string work)
    {
        var data = Path.Combine(work, "data");
        var options = new ApplianceOptions
        {
            Server = { Listen = "127.0.0.1:0", HttpsListen = "127.0.0.1:0", DataDir = data, ShutdownTimeout = TimeSpan.FromSeconds(3) },
            Log = { File = "off" },
            Tls = { Mode = TlsMode.LocalCa },
            Derp = { StunListen = "127.0.0.1:0" },
            // Several test classes start one at a time in parallel: no fixed metrics port, no backup schedule.
            Metrics = { Listen = "127.0.0.1:0" },
            Backup = { Interval = TimeSpan.Zero, VerifyInterval = TimeSpan.Zero },
        };
        var state = ApplianceState.TryOpen(AppliancePaths.From(options)).State!;
        var app = ApplianceHost.Build(options, state, new LoggerConfiguration().CreateLogger());
        await app.StartAsync();
        var http = ApplianceHost.HttpAddresses(app).Single(a => a.Scheme == Uri.UriSchemeHttp);
        var listen = $"127.0.0.1:{http.Port}";
        await File.WriteAllTextAsync(Path.Combine(work, "appliance.yaml"), $"""
            server:
              listen: {listen}
              https_listen: 127.0.0.1:0
              data_dir: {data}
            derp:
              stun_listen: 127.0.0.1:0
            """);
        return new DocsAppliance(work, state, app, listen);
    }

    private bool _disposed;

    /// <summary>Stops the appliance; safe to call twice (a test may stop it early to see it gone).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _state.Dispose();
    }
}
