using Appliance.State.Commands;
using Appliance.State.Coordinator;

namespace Appliance.State.Identity;

/// <summary>What the identity file says about one person, as far as the database keeps it (no secrets).</summary>
public sealed record PersonEntry(string Name, string? DisplayName, string? Email, string Role, IReadOnlyList<string> Groups, bool Disabled);

/// <summary>What applying the identity file changed. <see cref="NewlyDisabled"/> lost their login by this apply.</summary>
public sealed record PeopleApplyResult(int Created, int Updated, int Unchanged, IReadOnlyList<TailnetUser> NewlyDisabled)
{
    /// <summary>Every user this apply created or changed, as stored: what the live tailnet is told.</summary>
    public IReadOnlyList<TailnetUser> Saved { get; init; } = [];

    public override string ToString() =>
        $"{Created} created, {Updated} updated, {Unchanged} unchanged, {NewlyDisabled.Count} disabled";
}

public sealed partial class IdentityService
{
    /// <summary>
    /// Makes the users table agree with the identity file: listed people are created or updated (profile, role,
    /// groups, disabled); a user the file does not list is disabled, never deleted (their nodes stay theirs until
    /// an operator decides). Validate the whole file before calling. One command on the tailnet writer (ordered with
    /// every other change) and one database transaction (issue 12): every person is written or none is. The live
    /// tailnet (the snapshot's users, the profiles and caps peers see) is told only after the transaction committed;
    /// a write refused part-way (full, read-only, a name taken) rolls back the people before it too, so the error's
    /// "nothing was changed" is true, and applying the file again does it all.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database refused a write (the message says which; nothing was changed).</exception>
    public PeopleApplyResult ApplyPeople(IReadOnlyList<PersonEntry> people)
    {
        ArgumentNullException.ThrowIfNull(people);
        var applied = _writer.Run(
            "apply identity file",
            () => _database.InTransaction(() => ApplyPeopleOnWriter(people), result => result.IsOk),
            result => new TailnetEffect { UsersSaved = result.Saved });
        return applied.IsOk ? applied.Value : throw new InvalidOperationException(applied.Error);
    }

    private OperationResult<PeopleApplyResult> ApplyPeopleOnWriter(IReadOnlyList<PersonEntry> people)
    {
        int created = 0, updated = 0, unchanged = 0;
        var disabled = new List<TailnetUser>();
        var saved = new List<long>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var person in people)
        {
            listed.Add(person.Name);
            var existing = _users.GetByName(person.Name);
            if (existing is null)
            {
                var inserted = _users.Insert(person.Name, Blank(person.DisplayName), Blank(person.Email), _time.GetUtcNow());
                if (!inserted.IsOk)
                {
                    return OperationResult.Conflict<PeopleApplyResult>(
                        $"apply identity file: creating user '{person.Name}' failed ({inserted.Status}); nothing was changed");
                }

                existing = inserted.Row;
                created++;
            }
            else if (existing.DisplayName != Blank(person.DisplayName) || existing.Email != Blank(person.Email)
                || existing.Role != person.Role || !existing.Groups.SequenceEqual(person.Groups) || existing.Disabled != person.Disabled)
            {
                updated++;
            }
            else
            {
                unchanged++;
                continue;
            }

            _users.UpdateProfile(existing.Id, Blank(person.DisplayName), Blank(person.Email));
            _users.UpdateIdentity(existing.Id, person.Role, person.Groups, person.Disabled);
            saved.Add(existing.Id);
            if (person.Disabled && !existing.Disabled)
            {
                disabled.Add(existing);
            }
        }

        foreach (var user in _users.List().Where(u => !listed.Contains(u.Name) && !u.Disabled))
        {
            _users.UpdateIdentity(user.Id, user.Role, user.Groups, disabled: true);
            disabled.Add(user);
            saved.Add(user.Id);
        }

        return OperationResult.Ok(new PeopleApplyResult(created, updated, unchanged, disabled)
        {
            Saved = [.. saved.Select(_users.Get).OfType<TailnetUser>()],
        });
    }

    /// <summary>Sets only the disabled flag (<c>appliance users disable|enable</c> keeps the database in step with the file).</summary>
    public OperationResult<TailnetUser> SetUserDisabled(string name, bool disabled)
    {
        return _writer.Run(
            disabled ? "disable user" : "enable user",
            () =>
            {
                if (_users.GetByName(name) is not { } user)
                {
                    return NoUser<TailnetUser>(name);
                }

                var updated = _users.UpdateIdentity(user.Id, user.Role, user.Groups, disabled);
                return updated.IsOk ? OperationResult.Ok(updated.Row) : NoUser<TailnetUser>(name);
            },
            user => new TailnetEffect { UserSaved = user });
    }
}
