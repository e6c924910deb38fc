using System.Text.Json;
using Appliance.State.Identity;

namespace Appliance.Hosting.Content;

/// <summary>One user as an identity file lists it.</summary>
public sealed record IdentityUser(string Name, string? DisplayName, string? Email);

/// <summary>
/// <c>identity.json</c> in an update bundle: the users the appliance should have.
/// <code>
/// { "users": [ { "name": "alice", "display_name": "Alice Liddell", "email": "alice@example.com" }, ... ] }
/// </code>
/// <c>name</c> follows the user-name rules of <c>appliance users create</c>; <c>display_name</c> and <c>email</c> are
/// optional. Unknown fields are refused, so that a typo ("e-mail") is an error instead of silently ignored. There
/// are no groups: groups belong to the policy (policy.hujson). Users not listed are left alone: applying a file never
/// deletes a user (see <see cref="IdentityApplier"/>).
/// </summary>
public static class IdentityFile
{
    public const string Label = "update content identity.json";

    /// <summary>Parses and validates; every error is an <see cref="InvalidDataException"/> naming the file (and the line for JSON errors).</summary>
    public static IReadOnlyList<IdentityUser> Load(string path)
    {
        var bytes = ContentFileText.ReadBytes(path, Label);

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return Read(document.RootElement, path);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{Label} '{path}'{ContentFileText.LineOf(exception)}: not JSON: {exception.Message}", exception);
        }
    }

    private static List<IdentityUser> Read(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "the top level must be an object with a \"users\" array");
        }

        JsonElement? usersElement = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != "users")
            {
                throw Invalid(path, $"unknown field \"{property.Name}\" (only \"users\" is read)");
            }

            usersElement = property.Value;
        }

        if (usersElement is not { ValueKind: JsonValueKind.Array } users)
        {
            throw Invalid(path, "\"users\" must be an array");
        }

        var result = new List<IdentityUser>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var element in users.EnumerateArray())
        {
            var user = ReadUser(element, path, index);
            if (!seen.Add(user.Name))
            {
                throw Invalid(path, $"users[{index}]: \"{user.Name}\" is listed twice");
            }

            result.Add(user);
            index++;
        }

        return result;
    }

    private static IdentityUser ReadUser(JsonElement element, string path, int index)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"users[{index}] must be an object");
        }

        string? name = null, displayName = null, email = null;
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                throw Invalid(path, $"users[{index}].{property.Name} must be a string");
            }

            var value = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.GetString();
            switch (property.Name)
            {
                case "name":
                    name = value;
                    break;
                case "display_name":
                    displayName = string.IsNullOrWhiteSpace(value) ? null : value;
                    break;
                case "email":
                    email = string.IsNullOrWhiteSpace(value) ? null : value;
                    break;
                default:
                    throw Invalid(path, $"users[{index}]: unknown field \"{property.Name}\" (name, display_name, email)");
            }
        }

        if (NameRules.CheckUserName(name) is { } problem)
        {
            throw Invalid(path, $"users[{index}]: {problem}");
        }

        return new IdentityUser(name!, displayName, email);
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"{Label} '{path}': {problem}");
}
