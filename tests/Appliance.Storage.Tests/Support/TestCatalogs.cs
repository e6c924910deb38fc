using Appliance.Storage.Database;

namespace Appliance.Storage.Tests.Support;

/// <summary>Small hand-made migration histories for testing upgrades, downgrades and failures.</summary>
public static class TestCatalogs
{
    private static readonly Migration First = new(1, "things", "CREATE TABLE things (name TEXT NOT NULL);");

    public static MigrationCatalog One { get; } = new([First]);

    public static MigrationCatalog Two { get; } = new([First, new Migration(2, "more", "CREATE TABLE more (x INTEGER);")]);

    /// <summary>Version 2 creates a table, then fails: the whole step must roll back.</summary>
    public static MigrationCatalog BrokenSecond { get; } =
        new([First, new Migration(2, "broken", "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);")]);
}
