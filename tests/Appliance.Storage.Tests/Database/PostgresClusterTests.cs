using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Database;

/// <summary>The throwaway cluster the PostgreSQL tests use leaves nothing behind.</summary>
[Trait("Category", "Postgres")]
public sealed class PostgresClusterTests
{
    [Fact]
    public void A_cluster_listens_only_on_a_socket_in_its_folder_and_disposing_it_removes_everything()
    {
        var cluster = new PostgresCluster();
        var folder = cluster.Folder;
        var connection = cluster.CreateDatabase();

        Assert.True(File.Exists(Path.Combine(folder, ".s.PGSQL.5432")), "the unix socket is in the cluster's folder");
        Assert.Contains($"Host={folder}", connection, StringComparison.Ordinal);

        cluster.Dispose();

        Assert.False(Directory.Exists(folder));
    }
}
