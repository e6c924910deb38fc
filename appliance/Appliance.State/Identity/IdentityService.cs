using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.State.Identity;

/// <summary>
/// Users, pre-auth keys and API keys: the operator's identity verbs and the registration-time key check.
/// Split by concern into IdentityService.Users.cs, .PreAuthKeys.cs and .ApiKeys.cs. Thread-safe: every call is
/// its own database transaction.
/// </summary>
public sealed partial class IdentityService
{
    private readonly TimeProvider _time;
    private readonly INodeChangeSink _changes;
    private readonly UserStore _users;
    private readonly PreAuthKeyStore _preAuthKeys;
    private readonly ApiKeyStore _apiKeys;

    public IdentityService(ApplianceDatabase database, TimeProvider time, INodeChangeSink changes)
    {
        _time = time;
        _changes = changes;
        _users = new UserStore(database);
        _preAuthKeys = new PreAuthKeyStore(database);
        _apiKeys = new ApiKeyStore(database);
    }

    public IdentityService(ApplianceDatabase database, TimeProvider time)
        : this(database, time, NullNodeChangeSink.Instance)
    {
    }
}
