namespace Appliance.Hosting.Configuration;

/// <summary>
/// The whole appliance configuration: one sealed options class per YAML section. The YAML keys are the
/// snake_case forms of the property names (<see cref="ConfigNaming"/>). Defaults are the embedded defaults that
/// `appliance serve` runs on without a config file; docs/config.md documents every key, and
/// docs/appliance.example.yaml is tested against these classes.
/// </summary>
public sealed class ApplianceOptions
{
    public ServerOptions Server { get; set; } = new();

    public LogOptions Log { get; set; } = new();

    public PrefixesOptions Prefixes { get; set; } = new();

    public NodesOptions Nodes { get; set; } = new();

    public DnsOptions Dns { get; set; } = new();

    public DerpOptions Derp { get; set; } = new();

    public TlsOptions Tls { get; set; } = new();

    public PolicyOptions Policy { get; set; } = new();

    public IdentityOptions Identity { get; set; } = new();

    public UpdatesOptions Updates { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public BackupOptions Backup { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();
    public AuditOptions Audit { get; set; } = new();
}
