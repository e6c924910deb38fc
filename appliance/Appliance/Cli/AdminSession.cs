using Appliance.Hosting.Admin;
using Appliance.Hosting.Audit;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Policy;
using Appliance.Hosting.Startup;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.State.Policy;
using Appliance.Storage.Audit;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Cli;

/// <summary>
/// The operator CLI's way in. When the service answers on `admin.sock`, verbs go to it (so connected nodes see
/// changes at once). Otherwise the CLI opens the database itself, holding the data-folder lock for the duration so
/// it can never race a service that is starting. Run as root, files it creates in direct mode are handed back to the
/// data folder's owner (the service user) when it closes.
/// </summary>
public sealed class AdminSession : IDisposable
{
    private readonly IDisposable[] _owned;

    private AdminSession(IAdminApi api, bool viaService, params IDisposable[] owned)
    {
        Api = api;
        ViaService = viaService;
        _owned = owned;
    }

    public IAdminApi Api { get; }

    /// <summary>True when talking to the running service, false when working on the database directly.</summary>
    public bool ViaService { get; }

    /// <summary>How long a verb waits when the folder is locked but admin.sock does not answer yet: the service is starting.</summary>
    public static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(15);

    /// <exception cref="DataDirectoryException">Direct mode: the folder is locked or not writable (in use after <see cref="StartupWait"/>).</exception>
    /// <exception cref="DatabaseRefusedException">Direct mode: the database cannot be used.</exception>
    public static async Task<AdminSession> OpenAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var deadline = DateTimeOffset.UtcNow + StartupWait;
        while (true)
        {
            if (await AdminClient.IsListeningAsync(context.AdminSocketPath, cancellationToken).ConfigureAwait(false))
            {
                var client = new AdminClient(context.AdminSocketPath);
                return new AdminSession(client, viaService: true, client);
            }

            try
            {
                return OpenDirect(context);
            }
            catch (DataDirectoryException e) when (e.Problem == DataDirectoryProblem.InUse && DateTimeOffset.UtcNow < deadline)
            {
                // Locked, yet nothing answers on admin.sock: a service between taking the lock and binding its
                // listeners (or another short CLI call). Wait for one of them instead of failing with 75.
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static AdminSession OpenDirect(CliContext context)
    {
        // Only serve, install and restore create a data folder: a verb run in the wrong place must say where it
        // looked instead of creating an empty database there and printing an empty list.
        var onPostgres = context.Config.Options.Database.Type == DatabaseType.Postgres;
        if (onPostgres ? !Directory.Exists(context.DataDirectory) : !File.Exists(Path.Combine(context.DataDirectory, DataDirectory.DatabaseFileName)))
        {
            throw new NoDataFolderException(context.DataDirectory, context.AdminSocketPath);
        }

        var directory = DataDirectory.Open(context.DataDirectory);
        try
        {
            var time = TimeProvider.System;
            var database = DatabaseOpening.Open(directory, context.Config.Options.Database, time);
            var policyFile = context.Config.Options.Policy.File is { Length: > 0 } file ? Path.GetFullPath(file) : null;
            // The same command path as the service: an in-process coordinator over the database (no heartbeat).
            var coordinator = DirectCoordinator.Open(database, time);
            var operations = new AdminOperations(
                new IdentityService(database, time, coordinator),
                new NodeService(coordinator, new SqliteUserDirectory(database), UnknownNodePresence.Instance),
                UnknownNodePresence.Instance,
                time,
                policy: new StoredPolicyAdministration(database, new PolicyVersions(database, coordinator, time), policyFile));
            // Recorded in the data folder's audit log as the OS user running the CLI (docs/ops/audit.md).
            var audit = AuditTrail.ForDataDirectory(context.DataDirectory, time, new AuditAnchorStore(database),
                AuditHostingExtensions.MaxFileBytes(context.Config.Options.Audit), logger: null);
            var audited = new AuditedAdminApi(operations, audit, AuditActor.LocalProcessUser);
            // Root working on the service's folder: whatever the database creates (WAL, backups) goes back to the
            // folder's owner on close, so the service can still open it (disposed after the database).
            return new AdminSession(audited, viaService: false, coordinator, database, new OwnershipRestorer(context.DataDirectory), directory);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
