using Appliance.State.Commands;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.State.Identity;

/// <summary>
/// Users, pre-auth keys and API keys: the operator's identity verbs and the registration-time key check.
/// Split by concern into IdentityService.Users.cs, .PreAuthKeys.cs and .ApiKeys.cs. Every change to users and
/// pre-auth keys runs on the <see cref="ITailnetWriter"/> (the coordinator in the service and in the CLI), so it is
/// ordered with node commands and what it does to nodes (a forced user deletion) reaches peers in the same step.
/// </summary>
public sealed partial class IdentityService
{
    private readonly ApplianceDatabase _database;
    private readonly TimeProvider _time;
    private readonly ITailnetWriter _writer;
    private readonly ILogger _log;
    private readonly UserRows _users;
    private readonly PreAuthKeyStore _preAuthKeys;
    private readonly ApiKeyStore _apiKeys;

    public IdentityService(ApplianceDatabase database, TimeProvider time, ITailnetWriter writer, ILogger? logger = null)
    {
        _database = database;
        _time = time;
        _writer = writer;
        _log = logger ?? NullLogger.Instance;
        _users = new UserRows(new UserStore(database));
        _preAuthKeys = new PreAuthKeyStore(database);
        _apiKeys = new ApiKeyStore(database);
    }

    public IdentityService(ApplianceDatabase database, TimeProvider time)
        : this(database, time, new DirectTailnetWriter())
    {
    }
}
