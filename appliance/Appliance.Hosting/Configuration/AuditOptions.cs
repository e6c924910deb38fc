namespace Appliance.Hosting.Configuration;

/// <summary>The `audit:` section: the tamper-evident audit log in `&lt;data_dir&gt;/audit` (docs/ops/audit.md).</summary>
public sealed class AuditOptions
{
    /// <summary>Size in KiB at which the current audit file is closed, anchored in the database and a new one started. 1..1048576, default 10240.</summary>
    public int MaxFileKib { get; set; } = 10 * 1024;
}
