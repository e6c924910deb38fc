namespace Appliance.Storage.Stores;

/// <summary>A row of `users`. Name is the login name (unique); the others are for display.</summary>
public sealed record UserRecord(long Id, string Name, string? DisplayName, string? Email, DateTimeOffset CreatedAt);
