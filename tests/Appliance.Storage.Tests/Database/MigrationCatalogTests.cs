using Appliance.Storage.Database;

namespace Appliance.Storage.Tests.Database;

public sealed class MigrationCatalogTests
{
    [Fact]
    public void The_embedded_catalog_starts_with_the_initial_schema_and_has_no_gaps()
    {
        var catalog = MigrationCatalog.Embedded;

        Assert.Equal("initial", catalog.Migrations[0].Name);
        Assert.Equal(Enumerable.Range(1, catalog.LatestVersion), catalog.Migrations.Select(m => m.Version));
        Assert.Contains("CREATE TABLE nodes", catalog.Migrations[0].Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_with_a_gap_in_its_numbers_is_rejected()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new MigrationCatalog(
        [
            new Migration(1, "one", "SELECT 1;"),
            new Migration(3, "three", "SELECT 1;"),
        ]));

        Assert.Contains("without gaps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void After_returns_only_the_migrations_newer_than_a_version()
    {
        var catalog = new MigrationCatalog(
        [
            new Migration(2, "two", "SELECT 2;"),
            new Migration(1, "one", "SELECT 1;"),
        ]);

        Assert.Equal([2], catalog.After(1).Select(m => m.Version));
        Assert.Equal(2, catalog.LatestVersion);
    }
}
