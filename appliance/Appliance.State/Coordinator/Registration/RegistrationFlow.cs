using System.Collections.Immutable;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Microsoft.Extensions.Logging;

namespace Appliance.State.Coordinator;

/// <summary>
/// The registration flow: <c>/machine/register</c> decisions (docs/wire/control.md "/machine/register"; headscale
/// hscontrol/auth.go) and the interactive approvals (RegistrationFlow.Interactive.cs). Order matters: machine-key
/// binding first, then logout (a past Expiry wins over an auth key), then refresh of a known key, then rotation via
/// OldNodeKey, then a pre-auth key, else the interactive flow.
/// <para>
/// One per coordinator (<see cref="ControlCoordinator.Registrations"/>), which forwards its public register and
/// approval members here. It decides from the published snapshot and makes every change as a command on the
/// coordinator's writer (<c>_coordinator.Write</c>): the node row is written and the snapshot published there, in the
/// lock order the coordinator's class comment states; each repository write asserts the writer in debug builds.
/// It holds no lock of its own; the interactive logins are stored (<see cref="IPendingLoginRepository"/>, which decides
/// between two operators) and the polls waiting on them here are a concurrent map.
/// </para>
/// </summary>
public sealed partial class RegistrationFlow
{
    private readonly ControlCoordinator _coordinator;
    private readonly CoordinatorOptions _options;
    private readonly INodeRepository _nodes;
    private readonly IUserDirectory _users;
    private readonly IPreAuthKeyAuthority _keys;
    private readonly IPendingLoginRepository _logins;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    internal RegistrationFlow(
        ControlCoordinator coordinator,
        CoordinatorOptions options,
        INodeRepository nodes,
        IUserDirectory users,
        IPreAuthKeyAuthority keys,
        IPendingLoginRepository logins,
        TimeProvider time,
        ILogger log)
    {
        _coordinator = coordinator;
        _options = options;
        _nodes = nodes;
        _users = users;
        _keys = keys;
        _logins = logins;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// Decides a register request. A write the database refuses (full, read-only) is <see cref="RegisterStatus.Unavailable"/>
    /// (event StorageWriteFailed, once): every change is published only after its write committed, and a pre-auth
    /// key's use is in the node write's transaction, so nothing changed and the client may simply retry (issue 12).
    /// </summary>
    public RegisterOutcome Register(MachinePublic machine, RegisterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Guarded("register node", () => Decide(machine, request));
    }

    /// <summary>Runs a client's registration step; a refused database write becomes <see cref="RegisterStatus.Unavailable"/>.</summary>
    private RegisterOutcome Guarded(string command, Func<RegisterOutcome> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (Commands.StorageFaults.IsStorageFault(e))
        {
            StateEvents.StorageWriteFailed(_log, e, command);
            return RegisterOutcome.Failed(RegisterStatus.Unavailable, StorageRefusedMessage);
        }
    }

    /// <summary>What the client is told (and logs) when the database refused the write.</summary>
    internal const string StorageRefusedMessage = "the control server's database refused the write (full or read-only); nothing was changed, try again later";

    private RegisterOutcome Decide(MachinePublic machine, RegisterRequest request)
    {
        var now = _time.GetUtcNow();
        if (request.NodeKey.IsZero)
        {
            return RegisterOutcome.Failed(RegisterStatus.BadRequest, "RegisterRequest.NodeKey is missing");
        }

        if (!HostinfoValidator.TryValidate(request.Hostinfo, out var hostinfoError))
        {
            return RegisterOutcome.Failed(RegisterStatus.BadRequest, hostinfoError);
        }

        var snapshot = _coordinator.Snapshot;
        var byKey = snapshot.FindByNodeKey(request.NodeKey);
        if (byKey is not null && byKey.Record.MachineKey != machine)
        {
            StateEvents.RegistrationRefused(_log, machine.ToString(), "node key registered to a different machine key");
            return RegisterOutcome.Failed(RegisterStatus.Unauthorized, "node exists with a different machine key");
        }

        var node = byKey
            ?? (request.OldNodeKey.IsZero ? null : snapshot.FindByNodeKey(request.OldNodeKey) is { } old && old.Record.MachineKey == machine ? old : null)
            ?? snapshot.FindByMachineKey(machine);

        if (request.IsLogout(now))
        {
            return Logout(node, request, now);
        }

        var authKey = request.Auth?.AuthKey;
        if (node is not null && !node.Record.IsKeyExpired(now) && string.IsNullOrEmpty(request.Followup))
        {
            if (node.Record.NodeKey == request.NodeKey && (string.IsNullOrEmpty(authKey) || byKey is not null))
            {
                return RegisterOutcome.Success(Response(node, nodeKeyExpired: false), node);
            }

            if (!request.OldNodeKey.IsZero && node.Record.NodeKey == request.OldNodeKey)
            {
                return Rotate(node, request.NodeKey);
            }
        }

        if (!string.IsNullOrEmpty(authKey))
        {
            return RegisterWithAuthKey(machine, request, authKey, now);
        }

        return Interactive(machine, request);
    }

    private RegisterOutcome Logout(NodeEntry? node, RegisterRequest request, DateTimeOffset now)
    {
        if (node is null)
        {
            return RegisterOutcome.Success(new RegisterResponse { NodeKeyExpired = true, MachineAuthorized = false }, null);
        }

        if (node.Record.Ephemeral)
        {
            _coordinator.DeleteNode(node.Id, "ephemeral node logged out");
            return RegisterOutcome.Success(Response(node, nodeKeyExpired: true), null);
        }

        _ = request;

        var expired = _coordinator.Write(() =>
        {
            // headscale stores "now", never the client's 1970 sentinel.
            var current = _coordinator.Current.Find(node.Id) ?? node;
            _coordinator.AssertWriter();
            var stored = _nodes.Update(current.Record with { KeyExpiry = now, UpdatedAt = now }, NodeColumns.KeyExpiry | NodeColumns.UpdatedAt);
            if (!stored.IsOk)
            {
                return current;
            }

            var entry = _coordinator.Reproject(current, stored.Row);
            _coordinator.Publish(_coordinator.Current.With(entry), changes => changes.AddFull(entry.Id));
            StateEvents.NodeLoggedOut(_log, entry.Id, entry.Record.GivenName);
            return entry;
        });
        return RegisterOutcome.Success(Response(expired, nodeKeyExpired: true), expired);
    }

    private RegisterOutcome Rotate(NodeEntry node, NodePublic newKey)
    {
        var rotated = _coordinator.Write(() =>
        {
            var current = _coordinator.Current.Find(node.Id) ?? node;
            _coordinator.AssertWriter();
            var stored = _nodes.Update(current.Record with { NodeKey = newKey, UpdatedAt = _time.GetUtcNow() }, NodeColumns.NodeKey | NodeColumns.UpdatedAt);
            if (!stored.IsOk)
            {
                return null;
            }

            var entry = _coordinator.Reproject(current, stored.Row);
            _coordinator.Publish(_coordinator.Current.Without(current).With(entry), changes => changes.AddPatch(new PeerChange { NodeID = entry.Id, Key = newKey }));
            StateEvents.NodeKeyRotated(_log, entry.Id, entry.Record.GivenName);
            return entry;
        });
        return rotated is null
            ? RegisterOutcome.Failed(RegisterStatus.Conflict, "that node key is already registered to another node")
            : RegisterOutcome.Success(Response(rotated, nodeKeyExpired: false), rotated);
    }

    private RegisterOutcome RegisterWithAuthKey(MachinePublic machine, RegisterRequest request, string authKey, DateTimeOffset now)
    {
        // Checked here, counted only with the node write (Admit), in its transaction: a failed write burns no use.
        var use = _keys.Check(authKey, now);
        if (!use.IsValid)
        {
            return KeyRefused(machine, use.Check);
        }

        var key = use.Key;
        return Admit(machine, request, key.UserId, key.Tags, key.Ephemeral || request.Ephemeral, key.Id, RegistrationMethod.AuthKey, now, key);
    }

    private RegisterOutcome KeyRefused(MachinePublic machine, PreAuthKeyCheck check)
    {
        var message = check switch
        {
            PreAuthKeyCheck.Expired => "authkey expired",
            PreAuthKeyCheck.AlreadyUsed => "authkey already used",
            PreAuthKeyCheck.Revoked => "authkey revoked",
            _ => "invalid authkey",
        };
        StateEvents.RegistrationRefused(_log, machine.ToString(), message);
        return RegisterOutcome.Success(new RegisterResponse { Error = message }, null);
    }

    /// <summary>Creates the node for an authorised machine, or re-binds the machine's existing node to the new key.</summary>
    private RegisterOutcome Admit(
        MachinePublic machine,
        RegisterRequest request,
        long? userId,
        ImmutableArray<string> tags,
        bool ephemeral,
        long? authKeyId,
        RegistrationMethod method,
        DateTimeOffset now,
        PreAuthKey? claim = null)
    {
        var tagged = !tags.IsDefaultOrEmpty;
        DateTimeOffset? expiry = tagged || _options.NodeKeyExpiry is null ? null : now + _options.NodeKeyExpiry.Value;
        if (request.Expiry != default && request.Expiry > now && (expiry is null || request.Expiry < expiry))
        {
            expiry = request.Expiry;
        }

        // A new node opens its stream next: its peers hear of it with that connect, in one delta (issue 16).
        var outcome = _coordinator.WriteDeferringFanOut(() =>
        {
            // On a shared database another appliance may have stored a row this snapshot has not heard of yet (the
            // same machine, an address or a name): the unique constraints refuse the insert, the snapshot catches up
            // from the database, and the registration is decided again against it (docs/ops/ha.md).
            for (var attempt = 1; ; attempt++)
            {
                var tried = RegisterAttempt();
                if (tried.Status != RegisterStatus.Conflict || !_coordinator.IsShared || attempt == 3)
                {
                    return tried;
                }

                _coordinator.ReconcileLocked();
            }
        });

        (RegisterStatus Status, NodeEntry? Node, PreAuthKeyCheck Key) RegisterAttempt()
        {
            var snapshot = _coordinator.Current;
            if (snapshot.FindByNodeKey(request.NodeKey) is { } holder && holder.Record.MachineKey != machine)
            {
                return (RegisterStatus.Unauthorized, null, PreAuthKeyCheck.Valid);
            }

            var existing = snapshot.FindByMachineKey(machine);
            var hostname = request.Hostinfo?.Hostname ?? existing?.Record.Hostname ?? "node";
            TailnetNode record;
            if (existing is not null)
            {
                record = existing.Record with
                {
                    NodeKey = request.NodeKey,
                    UserId = tagged ? null : userId,
                    Tags = tagged ? tags : [],
                    KeyExpiry = expiry,
                    Ephemeral = ephemeral,
                    AuthKeyId = authKeyId,
                    RegisterMethod = method,
                    Hostname = hostname,
                    HostinfoJson = ControlCoordinator.SerializeHostinfo(request.Hostinfo) ?? existing.Record.HostinfoJson,
                    UpdatedAt = now,
                };
            }
            else
            {
                var (v4, v6) = AllocateAddresses(snapshot);
                if (v4 is null || v6 is null)
                {
                    return (RegisterStatus.AddressesExhausted, null, PreAuthKeyCheck.Valid);
                }

                record = new TailnetNode
                {
                    MachineKey = machine,
                    NodeKey = request.NodeKey,
                    Hostname = hostname,
                    GivenName = DnsLabel.Unique(DnsLabel.Sanitize(hostname), snapshot.ByGivenName.ContainsKey),
                    UserId = tagged ? null : userId,
                    Tags = tagged ? tags : [],
                    IPv4 = v4,
                    IPv6 = v6,
                    HostinfoJson = ControlCoordinator.SerializeHostinfo(request.Hostinfo),
                    KeyExpiry = expiry,
                    CreatedAt = now,
                    UpdatedAt = now,
                    Ephemeral = ephemeral,
                    AuthKeyId = authKeyId,
                    RegisterMethod = method,
                };
            }

            _coordinator.AssertWriter();
            WriteResult<TailnetNode> Store() => existing is null ? _nodes.Insert(record) : _nodes.Update(record, ReRegistrationColumns);
            WriteResult<TailnetNode> stored;
            if (claim is null)
            {
                stored = Store();
            }
            else
            {
                // The key's use and the node row commit together, or neither does (issue 12).
                var claimed = _keys.WriteClaiming<TailnetNode>(claim, now, Store);
                if (claimed.Key != PreAuthKeyCheck.Valid)
                {
                    return (RegisterStatus.Ok, null, claimed.Key);
                }

                stored = claimed.Write;
            }

            if (!stored.IsOk)
            {
                return (RegisterStatus.Conflict, null, PreAuthKeyCheck.Valid);
            }

            var next = existing is null ? snapshot : snapshot.Without(existing);
            var entry = _coordinator.Project(stored.Row, request.Hostinfo ?? existing?.Hostinfo, existing?.Online ?? false, existing?.Cap ?? request.Version, now);
            _coordinator.Publish(_coordinator.WithUser(next.With(entry), entry.Record.UserId), changes => changes.AddFull(entry.Id));
            if (existing is null)
            {
                AddressesTaken(_coordinator.Current);
            }

            var owner = entry.Record.UserId is { } uid ? _coordinator.Current.Users.GetValueOrDefault(uid)?.Name ?? $"user {uid}" : string.Join(",", entry.Record.Tags);
            var how = method.ToText();
            if (existing is null)
            {
                StateEvents.NodeRegistered(_log, entry.Id, entry.Record.GivenName, how, owner);
            }
            else
            {
                StateEvents.NodeReRegistered(_log, entry.Id, entry.Record.GivenName, how, owner);
            }

            return (RegisterStatus.Ok, entry, PreAuthKeyCheck.Valid);
        }

        if (outcome.Key != PreAuthKeyCheck.Valid)
        {
            // A racing registration used the single-use key between the check and this write.
            return KeyRefused(machine, outcome.Key);
        }

        if (outcome.Status != RegisterStatus.Ok)
        {
            StateEvents.RegistrationRefused(_log, machine.ToString(), outcome.Status.ToString());
        }

        return outcome.Status switch
        {
            RegisterStatus.Ok => RegisterOutcome.Success(Response(outcome.Node!, nodeKeyExpired: false), outcome.Node),
            RegisterStatus.AddressesExhausted => RegisterOutcome.Success(new RegisterResponse { Error = "no free tailnet addresses left" }, null),
            RegisterStatus.Unauthorized => RegisterOutcome.Failed(RegisterStatus.Unauthorized, "node key belongs to another machine"),
            _ => RegisterOutcome.Failed(RegisterStatus.Conflict, "the node could not be stored"),
        };
    }

    /// <summary>What a re-registration writes: the new key and who authorised it; endpoints, routes and the name stay.</summary>
    private const NodeColumns ReRegistrationColumns = NodeColumns.NodeKey | NodeColumns.UserId | NodeColumns.Tags | NodeColumns.KeyExpiry
        | NodeColumns.Ephemeral | NodeColumns.AuthKeyId | NodeColumns.RegisterMethod | NodeColumns.Hostname | NodeColumns.Hostinfo
        | NodeColumns.UpdatedAt;

    private RegisterResponse Response(NodeEntry node, bool nodeKeyExpired)
    {
        var (user, login) = Identity(node);
        return new RegisterResponse { User = user, Login = login, NodeKeyExpired = nodeKeyExpired, MachineAuthorized = true };
    }

    private (User User, Login Login) Identity(NodeEntry node)
    {
        var id = node.Wire.User;
        var record = node.Record.UserId is { } uid ? _coordinator.Snapshot.Users.GetValueOrDefault(uid) ?? _users.Find(uid) : null;
        var name = record?.Name ?? "tagged-devices";
        var display = record?.DisplayName ?? (record is null ? "Tagged Devices" : name);
        return (
            new User { ID = id, DisplayName = display, Created = record?.CreatedAt ?? node.Record.CreatedAt },
            new Login { ID = id, LoginName = name, DisplayName = display });
    }
}
