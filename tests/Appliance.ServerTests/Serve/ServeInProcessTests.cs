using System.Net;
using Appliance.Hosting;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Health;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Tls;
using Appliance.ServerTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;

namespace Appliance.ServerTests.Serve;

/// <summary>The real composition root, started in-process on an ephemeral loopback port.</summary>
public sealed class ServeInProcessTests : IDisposable
{
    private readonly TempFolder _data = new();

    private ApplianceOptions Options() => new()
    {
        Server = { Listen = "127.0.0.1:0", HttpsListen = "127.0.0.1:0", DataDir = _data.Path, ShutdownTimeout = TimeSpan.FromSeconds(3) },
        Derp = { StunListen = "127.0.0.1:0" },
        Metrics = { Listen = "127.0.0.1:0" },
        Backup = { Interval = TimeSpan.Zero, VerifyInterval = TimeSpan.Zero },
        Log = { File = "off" },
        Tls = { Mode = TlsMode.Off },
    };

    [Fact]
    public async Task Serve_answers_health_and_ready_on_its_bound_loopback_port()
    {
        var options = Options();
        using var state = ApplianceState.TryOpen(AppliancePaths.From(options)).State!;
        await using var app = ApplianceHost.Build(options, state, new LoggerConfiguration().CreateLogger());
        Assert.Equal(ReadinessPhase.Starting, app.Services.GetRequiredService<ReadinessState>().Phase);

        await app.StartAsync();
        var address = Assert.Single(ApplianceHost.HttpAddresses(app));
        Assert.NotEqual(0, address.Port);
        using var client = new HttpClient { BaseAddress = address };

        Assert.Equal("ok", await client.GetStringAsync(new Uri("/health", UriKind.Relative)));
        var ready = await client.GetAsync(new Uri("/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", await ready.Content.ReadAsStringAsync());
        // The updater's probe requires the new release to be the one answering: /ready names it.
        var running = Assert.Single(ready.Headers.GetValues("Appliance-Version"));
        Assert.Equal(Appliance.Cli.VersionCommand.Version, running);

        await app.StopAsync();
        Assert.Equal(ReadinessPhase.Stopping, app.Services.GetRequiredService<ReadinessState>().Phase);
    }

    [Fact]
    public async Task With_the_local_ca_serve_also_answers_over_https_and_mints_a_certificate_for_loopback()
    {
        var options = Options();
        options.Tls.Mode = TlsMode.LocalCa;
        using var state = ApplianceState.TryOpen(AppliancePaths.From(options)).State!;
        await using var app = ApplianceHost.Build(options, state, new LoggerConfiguration().CreateLogger());

        await app.StartAsync();

        var https = Assert.Single(ApplianceHost.HttpAddresses(app), a => a.Scheme == Uri.UriSchemeHttps);
        System.Security.Cryptography.X509Certificates.X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate);
                return true; // the trust chain is the Tls area's test; here: HTTPS is served at all
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = https };
        Assert.Equal("ok", await client.GetStringAsync(new Uri("/health", UriKind.Relative)));
        Assert.NotNull(presented);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_admin_socket_is_owner_only_and_serves_the_same_app()
    {
        var options = Options();
        using var state = ApplianceState.TryOpen(AppliancePaths.From(options)).State!;
        await File.WriteAllTextAsync(state.Paths.AdminSocket, "left by a crashed process");
        await using var app = ApplianceHost.Build(options, state, new LoggerConfiguration().CreateLogger());

        await app.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state.Paths.AdminSocket));
        using var admin = Http.UnixSocketClient(state.Paths.AdminSocket);
        Assert.Equal("ok", await admin.GetStringAsync(new Uri("/health", UriKind.Relative)));
        await app.StopAsync();
    }

    [Fact]
    public async Task The_configured_shutdown_timeout_bounds_the_graceful_stop()
    {
        var options = Options();
        options.Server.ShutdownTimeout = TimeSpan.FromSeconds(7);
        using var state = ApplianceState.TryOpen(AppliancePaths.From(options)).State!;
        await using var app = ApplianceHost.Build(options, state, new LoggerConfiguration().CreateLogger());

        Assert.Equal(TimeSpan.FromSeconds(7), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public void A_second_opener_of_the_same_data_folder_is_refused_while_the_first_holds_it()
    {
        var paths = AppliancePaths.From(Options());
        using var first = ApplianceState.TryOpen(paths).State!;

        var second = ApplianceState.TryOpen(paths);

        Assert.Null(second.State);
        Assert.Equal(StateOpenFailure.InUse, second.Failure);
        Assert.Contains(paths.DataDir, second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_data_folder_is_created_owner_only()
    {
        var options = Options();
        options.Server.DataDir = _data.Combine("nested", "data");
        using var state = ApplianceState.TryOpen(AppliancePaths.From(options)).State!;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state.Paths.DataDir));
    }

    public void Dispose() => _data.Dispose();
}
