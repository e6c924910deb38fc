using Appliance.Hosting.AdminConsole.Audit;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;
using Appliance.Storage.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Audit;

/// <summary>The audit area: one <see cref="AuditTrail"/> over <c>&lt;data&gt;/audit</c>, rotating at audit.max_file_kib and anchoring in the database.</summary>
public static class AuditHostingExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services, AuditOptions options, ApplianceState state)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        services.AddSingleton(sp => AuditTrail.ForDataDirectory(
            state.Paths.DataDir,
            sp.GetRequiredService<TimeProvider>(),
            new AuditAnchorStore(state.Database),
            MaxFileBytes(options),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(AuditEvents.Category)));

        // Console actions reach the audit log; registered before the console's logging-only default (TryAdd), so this wins.
        services.AddSingleton<LoggingConsoleAuditHook>();
        services.AddSingleton<IConsoleAuditHook>(sp => new AuditLogConsoleHook(
            sp.GetRequiredService<LoggingConsoleAuditHook>(), sp.GetRequiredService<AuditTrail>()));
        return services;
    }

    public static long MaxFileBytes(AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MaxFileKib * 1024L;
    }
}
