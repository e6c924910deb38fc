using Appliance.Hosting.Admin;
using Appliance.Hosting.Policy;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Policy;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;

namespace Appliance.Cli;

/// <summary>
/// The operator CLI's way in. When the service answers on `admin.sock`, verbs go to it (so connected nodes see
/// changes at once). Otherwise the CLI opens the database itself, holding the data-folder lock for the duration so
/// it can never race a service that is starting. Run the CLI as the service user: files it creates in direct mode
/// belong to whoever runs it.
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

    /// <exception cref="DataDirectoryException">Direct mode: the folder is locked or not writable.</exception>
    /// <exception cref="DatabaseRefusedException">Direct mode: the database cannot be used.</exception>
    public static async Task<AdminSession> OpenAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await AdminClient.IsListeningAsync(context.AdminSocketPath, cancellationToken).ConfigureAwait(false))
        {
            var client = new AdminClient(context.AdminSocketPath);
            return new AdminSession(client, viaService: true, client);
        }

        var directory = DataDirectory.Open(context.DataDirectory);
        try
        {
            var time = TimeProvider.System;
            var database = ApplianceDatabase.Open(directory, time);
            var policyFile = context.Config.Options.Policy.File is { Length: > 0 } file ? Path.GetFullPath(file) : null;
            // The same command path as the service: an in-process coordinator over the database (no heartbeat).
            var coordinator = DirectCoordinator.Open(database, time);
            var operations = new AdminOperations(
                new IdentityService(database, time, coordinator),
                new NodeService(coordinator, new SqliteUserDirectory(new UserStore(database)), UnknownNodePresence.Instance),
                UnknownNodePresence.Instance,
                time,
                policy: new StoredPolicyAdministration(database, new PolicyVersions(database, coordinator, time), policyFile));
            return new AdminSession(operations, viaService: false, coordinator, database, directory);
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
