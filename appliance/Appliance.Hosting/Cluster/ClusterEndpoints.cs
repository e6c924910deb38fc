using Appliance.Hosting.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Cluster;

/// <summary>What `appliance status` shows of several appliances on one database: this instance and the settings it disagrees on.</summary>
public sealed record ClusterStatusDto(string? Instance, IReadOnlyList<SettingsDisagreementDto> Disagreements);

/// <summary>One setting that differs from the named live instances' (docs/ops/ha.md, "Settings that must agree").</summary>
public sealed record SettingsDisagreementDto(string Key, IReadOnlyList<string> Instances);

/// <summary><c>GET /api/v1/cluster</c> on admin.sock: the last settings comparison; <c>instance</c> is null when the database is not shared.</summary>
internal static class ClusterEndpoints
{
    public static Task Status(HttpContext context)
    {
        var check = context.RequestServices.GetService<ClusterSettingsCheck>();
        var dto = check is null
            ? new ClusterStatusDto(null, [])
            : new ClusterStatusDto(check.InstanceId, [.. check.Current.Select(d => new SettingsDisagreementDto(d.Key, d.Instances))]);
        return context.Response.WriteAsJsonAsync(dto, AdminJsonContext.Default.ClusterStatusDto);
    }
}
