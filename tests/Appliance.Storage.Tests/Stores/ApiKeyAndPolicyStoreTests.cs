using Appliance.Storage.Stores;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Stores;

public abstract class ApiKeyAndPolicyStoreTests : StoreTestBase
{
    [Fact]
    public void An_api_key_verifies_records_its_use_and_stops_after_expiry()
    {
        using var test = NewDatabase();
        var store = new ApiKeyStore(test.Database);
        var now = test.Time.GetUtcNow();
        store.Insert("api_abc", SecretHashes.Hash("secret"), now, now.AddDays(1));

        Assert.Equal(ApiKeyCheck.Valid, store.Verify("api_abc", SecretHashes.Hash("secret"), now.AddMinutes(1)));
        Assert.Equal(now.AddMinutes(1), Assert.Single(store.List()).LastUsedAt);
        Assert.Equal(ApiKeyCheck.NotFound, store.Verify("api_abc", SecretHashes.Hash("wrong"), now));
        Assert.Equal(ApiKeyCheck.Expired, store.Verify("api_abc", SecretHashes.Hash("secret"), now.AddDays(1)));
    }

    [Fact]
    public void Expiring_or_deleting_an_api_key_ends_it()
    {
        using var test = NewDatabase();
        var store = new ApiKeyStore(test.Database);
        var now = test.Time.GetUtcNow();
        store.Insert("api_a", SecretHashes.Hash("a"), now, expiresAt: null);
        store.Insert("api_b", SecretHashes.Hash("b"), now, expiresAt: null);

        Assert.Equal(now, store.Expire("api_a", now).Row!.ExpiresAt);
        Assert.True(store.Delete("api_b"));

        Assert.Equal(ApiKeyCheck.Expired, store.Verify("api_a", SecretHashes.Hash("a"), now));
        Assert.Equal(ApiKeyCheck.NotFound, store.Verify("api_b", SecretHashes.Hash("b"), now));
        Assert.Equal(WriteStatus.Conflict, store.Insert("api_a", SecretHashes.Hash("c"), now, null).Status);
    }

    [Fact]
    public void Policy_versions_append_with_their_digest_and_the_newest_is_current()
    {
        using var test = NewDatabase();
        var store = new PolicyStore(test.Database);
        var now = test.Time.GetUtcNow();

        Assert.Null(store.Latest());
        var first = store.Append("{}", "file", now);
        var second = store.Append("{\"acls\":[]}", "cli", now.AddMinutes(1));

        Assert.Equal("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", first.Sha256);
        Assert.Equal(second, store.Latest());
        Assert.Equal(first, store.Get(first.Id));
        Assert.Equal([first.Id, second.Id], store.List().Select(p => p.Id));
    }
}

public sealed class ApiKeyAndPolicyStoreOnSqliteTests : ApiKeyAndPolicyStoreTests
{
    protected override TestDatabase NewDatabase() => new();
}

[Trait("Category", "Postgres")]
public sealed class ApiKeyAndPolicyStoreOnPostgresTests(PostgresCluster cluster) : ApiKeyAndPolicyStoreTests, IClassFixture<PostgresCluster>
{
    protected override TestDatabase NewDatabase() => new(cluster);
}
