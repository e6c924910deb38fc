using Appliance.Hosting.Audit;

namespace Appliance.Cli;

/// <summary>
/// Audit records for verbs that run in the CLI's own process beside (or without) the service: backups, restores,
/// updates, CA operations. Written as the OS user running the CLI, without rotation (the CLI has no database open;
/// the service rotates at its next write). A user who cannot write the data folder gets a warning on stderr: the
/// action is not recorded.
/// </summary>
internal static class CliAudit
{
    public static void Record(CliContext context, string action, string target, string result) =>
        Record(context, AuditActor.LocalProcessUser, action, target, result);

    /// <summary>A record whose actor is not this process's user: the console person whose request root carries out.</summary>
    public static void Record(CliContext context, string actor, string action, string target, string result)
    {
        // Only in an initialised data folder (a verb never creates one): with its SQLite file, or on PostgreSQL the folder itself.
        if (!AuditAnchorSource.HasDatabase(context.DataDirectory, context.Config.Options.Database) || !Directory.Exists(context.DataDirectory))
        {
            return;
        }

        var trail = AuditTrail.ForDataDirectory(context.DataDirectory, TimeProvider.System, anchors: null,
            AuditHostingExtensions.MaxFileBytes(context.Config.Options.Audit), logger: null);
        using (new OwnershipRestorer(context.DataDirectory))
        {
            if (trail.Record(actor, action, target, result) is null)
            {
                Console.Error.WriteLine($"warning: could not write the audit log in {context.DataDirectory}; this {action} is not recorded (run as root or the service user).");
            }
        }
    }
}
