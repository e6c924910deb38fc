namespace Appliance.Storage.Database;

/// <summary>What opening the database did, for the startup log.</summary>
/// <param name="FromVersion">Schema version found on disk (0 for a new database).</param>
/// <param name="ToVersion">Schema version now.</param>
/// <param name="Applied">Migrations applied at this start, in order.</param>
/// <param name="BackupPath">The backup taken before migrating, or null when none was needed.</param>
public sealed record MigrationReport(int FromVersion, int ToVersion, IReadOnlyList<int> Applied, string? BackupPath);
