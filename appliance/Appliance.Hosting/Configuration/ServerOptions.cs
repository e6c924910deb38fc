namespace Appliance.Hosting.Configuration;

/// <summary>The `server:` section: listeners, the public URL and the data folder.</summary>
public sealed class ServerOptions
{
    /// <summary>Plain HTTP listener (control protocol, health). `IP:PORT`, IPv6 as `[::1]:8080`. Default 127.0.0.1:8080; port 0 picks a free port.</summary>
    public string Listen { get; set; } = "127.0.0.1:8080";

    /// <summary>HTTPS listener (web UI, admin REST, DERP over TLS). `IP:PORT`. Default 127.0.0.1:8443. Unused when tls.mode is off.</summary>
    public string HttpsListen { get; set; } = "127.0.0.1:8443";

    /// <summary>The URL clients use in `--login-server`: absolute http or https URL. Default http://127.0.0.1:8080.</summary>
    public string ServerUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Data folder (database, keys, logs, admin socket). Relative paths are resolved against the working directory. Default ./data.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>How long a graceful stop waits for open connections (long-polls, DERP) before closing them. 1s..10m, default 10s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
