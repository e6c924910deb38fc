using System.Net;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.ServerTests.Support;
using Appliance.TestKit;
using Appliance.TestKit.Control;
using Appliance.TestKit.Noise;
using Appliance.TestKit.Postgres;

namespace Appliance.ServerTests.Postgres;

/// <summary>
/// Several `appliance serve` processes on one database of a real PostgreSQL, as docs/ops/ha.md sets them up (one
/// data folder each, the same APPLIANCE_DATABASE_* everywhere), with ports chosen before they start so that a test
/// can point instances at each other and restart one where it was. Also their Noise test clients and the CLI.
/// </summary>
internal sealed class SharedDatabaseInstances : IAsyncDisposable
{
    public static readonly TimeSpan Converge = TimeSpan.FromSeconds(45);

    private readonly List<ServeInstance> _instances = [];
    private readonly List<HaClient> _clients = [];

    public SharedDatabaseInstances(PostgresCluster cluster, string database)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Environment = new Dictionary<string, string>
        {
            ["APPLIANCE_LOG_FILE"] = "off",
            ["APPLIANCE_LOG_CONSOLE_FORMAT"] = "plain",
            ["APPLIANCE_DATABASE_TYPE"] = "postgres",
            ["APPLIANCE_DATABASE_CONNECTION"] = cluster.CreateDatabase(database),
            // One Noise key for every instance, through the database (docs/ops/ha.md, decision 0098): an instance with
            // a key of its own is refused.
            ["APPLIANCE_DATABASE_CLUSTER_KEY_FILE"] = Temp.Combine("cluster.key"),
        };
    }

    public TempFolder Temp { get; } = new();

    /// <summary>What every instance and every CLI run gets (the database).</summary>
    public Dictionary<string, string> Environment { get; }

    /// <summary>A data folder (created, mode 0700) and its ports, for an instance not started yet.</summary>
    public ServeInstance Prepare(string name)
    {
        var data = Temp.Combine("data-" + name);
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var http = FreePort.Next();
        var https = FreePort.Next();
        while (https == http)
        {
            https = FreePort.Next();
        }

        return new ServeInstance(name, data, http, https, new Dictionary<string, string>());
    }

    /// <summary>Starts <paramref name="instance"/> (again, after a kill) and waits for /ready.</summary>
    public async Task<ServeInstance> StartAsync(ServeInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var environment = new Dictionary<string, string>(Environment)
        {
            ["APPLIANCE_HTTPS_LISTEN"] = $"127.0.0.1:{instance.HttpsPort}",
        };
        foreach (var (name, value) in instance.Extra)
        {
            environment[name] = value;
        }

        instance.Process?.Dispose();
        instance.Process = ApplianceProcess.Start(["serve", "--data-dir", instance.Data, "--listen", $"127.0.0.1:{instance.HttpPort}"], environment);
        if (!_instances.Any(i => ReferenceEquals(i, instance)))
        {
            _instances.Add(instance);
        }

        Assert.True(await WaitForReadyAsync(instance, TimeSpan.FromSeconds(90)), $"{instance.Name} not ready:\n{instance.Process.Stdout}\n{instance.Process.Stderr}");
        return instance;
    }

    public Task<ServeInstance> StartAsync(string name) => StartAsync(Prepare(name));

    /// <summary>SIGKILL: no clean stop, the kernel closes the process's sockets.</summary>
    public static async Task KillAsync(ServeInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Process!.Signal("KILL");
        await instance.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task<string> PreAuthKeyAsync(ServeInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var user = await Cli("users", "create", "alice", "--data-dir", instance.Data);
        Assert.True(user.Code == 0, user.Out + user.Err);
        var created = await Cli("preauthkeys", "create", "--user", "alice", "--reusable", "--expiration", "1h", "--data-dir", instance.Data);
        Assert.True(created.Code == 0, created.Out + created.Err);
        return created.Out.Trim();
    }

    /// <summary>A new node registered through <paramref name="instance"/> with its map stream open.</summary>
    public async Task<HaClient> JoinAsync(ServeInstance instance, string key, string hostname, IReadOnlyList<string>? routes = null)
    {
        var client = await ConnectAsync(instance, MachinePrivate.Generate(), hostname);
        client.Node.RoutableIPs = routes;
        var registered = await client.Node.RegisterAsync(key);
        Assert.True(registered.Status == HttpStatusCode.OK && registered.Response!.MachineAuthorized, registered.Text);
        Assert.True(await client.Node.StartMapPollAsync() == HttpStatusCode.OK, client.Node.LastError);
        Assert.True(await client.Node.WaitUntilAsync(n => n.Self is not null, Converge), $"{hostname} got no map");
        return client;
    }

    /// <summary>
    /// A Noise client of <paramref name="instance"/>, not registered yet. <paramref name="nodeKey"/>: a node key it had
    /// before (a client moving to another instance); <paramref name="serverKey"/>: the key to pin instead of the one
    /// the instance's /key announces.
    /// </summary>
    public async Task<HaClient> ConnectAsync(ServeInstance instance, MachinePrivate machine, string hostname, NodePrivate? nodeKey = null, MachinePublic? serverKey = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var pinned = serverKey ?? await NoiseControlClient.FetchServerKeyAsync(instance.Server, CapabilityVersion.TestClient);
        var noise = await NoiseControlClient.ConnectAsync(instance.Server, machine, pinned, CapabilityVersion.TestClient);
        var node = nodeKey is { } known
            ? new TestNode(noise.Http, noise.MachineKey, hostname, known)
            : new TestNode(noise.Http, noise.MachineKey, hostname);
        var client = new HaClient(noise, node, machine);
        _clients.Add(client);
        return client;
    }

    public async Task<(int Code, string Out, string Err)> Cli(params string[] args) => await ApplianceProcess.RunAsync(args, Environment);

    /// <summary>A CLI run (`serve` expected to refuse, say) with <paramref name="overrides"/> on top of <see cref="Environment"/>.</summary>
    public async Task<(int Code, string Out, string Err)> CliWith(IReadOnlyDictionary<string, string> overrides, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (name, value) in overrides)
        {
            environment[name] = value;
        }

        return await ApplianceProcess.RunAsync(args, environment);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        foreach (var instance in _instances)
        {
            instance.Process?.Dispose();
        }

        Temp.Dispose();
    }

    private static async Task<bool> WaitForReadyAsync(ServeInstance instance, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !instance.Process!.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(instance.Server, "/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        return false;
    }
}

/// <summary>One `serve` of <see cref="SharedDatabaseInstances"/>: its data folder, ports and extra environment.</summary>
internal sealed record ServeInstance(string Name, string Data, int HttpPort, int HttpsPort, Dictionary<string, string> Extra)
{
    public Uri Server => new($"http://127.0.0.1:{HttpPort}");

    public IPEndPoint Https => new(IPAddress.Loopback, HttpsPort);

    /// <summary>The running (or last) process; a restart replaces it.</summary>
    public ApplianceProcess? Process { get; set; }
}

/// <summary>A Noise test client of one instance, and the machine key it connected with (to reconnect elsewhere).</summary>
internal sealed record HaClient(NoiseControlClient Noise, TestNode Node, MachinePrivate Machine) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Noise.DisposeAsync();
    }
}
