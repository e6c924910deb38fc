using Appliance.Storage.Stores;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Stores;

public abstract class PreAuthKeyStoreTests : StoreTestBase
{
    [Fact]
    public void A_key_round_trips_without_exposing_its_hash()
    {
        using var test = NewDatabase();
        var store = new PreAuthKeyStore(test.Database);
        var now = test.Time.GetUtcNow();

        var key = store.Insert(TestKeys.New("apk_abc", "s3cret", now) with { Tags = ["tag:a", "tag:b"], Reusable = true, Ephemeral = true }).Row!;

        Assert.Equal("apk_abc", key.Prefix);
        Assert.Equal<string>(["tag:a", "tag:b"], key.Tags);
        Assert.True(key.Reusable);
        Assert.True(key.Ephemeral);
        Assert.Equal(0, key.UsedCount);
        Assert.Equal(now.AddHours(1), key.ExpiresAt);
        Assert.Null(key.RevokedAt);
        Assert.Equal(key, store.GetByPrefix("apk_abc")! with { Tags = key.Tags });
        Assert.Equal(key.Id, Assert.Single(store.List()).Id);
        Assert.Equal(WriteStatus.Conflict, store.Insert(TestKeys.New("apk_abc", "other", now)).Status);
    }

    [Fact]
    public void A_single_use_key_is_valid_once_then_already_used()
    {
        using var test = NewDatabase();
        var store = new PreAuthKeyStore(test.Database);
        store.Insert(TestKeys.New("apk_one", "s3cret", test.Time.GetUtcNow()));

        var first = store.TryUse("apk_one", SecretHashes.Hash("s3cret"), test.Time.GetUtcNow());
        var second = store.TryUse("apk_one", SecretHashes.Hash("s3cret"), test.Time.GetUtcNow());

        Assert.Equal(PreAuthKeyCheck.Valid, first.Check);
        Assert.Equal(1, first.Key!.UsedCount);
        Assert.Equal(PreAuthKeyCheck.AlreadyUsed, second.Check);
        Assert.Equal(1, store.GetByPrefix("apk_one")!.UsedCount);
    }

    [Fact]
    public void A_reusable_key_counts_every_use()
    {
        using var test = NewDatabase();
        var store = new PreAuthKeyStore(test.Database);
        store.Insert(TestKeys.New("apk_many", "s3cret", test.Time.GetUtcNow()) with { Reusable = true });

        for (var i = 0; i < 3; i++)
        {
            Assert.True(store.TryUse("apk_many", SecretHashes.Hash("s3cret"), test.Time.GetUtcNow()).IsValid);
        }

        Assert.Equal(3, store.GetByPrefix("apk_many")!.UsedCount);
    }

    [Fact]
    public void A_wrong_secret_or_unknown_prefix_is_not_found_and_counts_nothing()
    {
        using var test = NewDatabase();
        var store = new PreAuthKeyStore(test.Database);
        store.Insert(TestKeys.New("apk_one", "s3cret", test.Time.GetUtcNow()));

        Assert.Equal(PreAuthKeyCheck.NotFound, store.TryUse("apk_one", SecretHashes.Hash("s3creT"), test.Time.GetUtcNow()).Check);
        Assert.Equal(PreAuthKeyCheck.NotFound, store.TryUse("apk_two", SecretHashes.Hash("s3cret"), test.Time.GetUtcNow()).Check);
        Assert.Equal(PreAuthKeyCheck.NotFound, store.TryUse("apk_one", new byte[5], test.Time.GetUtcNow()).Check);
        Assert.Equal(0, store.GetByPrefix("apk_one")!.UsedCount);
    }

    [Fact]
    public void An_expired_key_is_refused_from_its_expiry_instant_on()
    {
        using var test = NewDatabase();
        var store = new PreAuthKeyStore(test.Database);
        var now = test.Time.GetUtcNow();
        store.Insert(TestKeys.New("apk_one", "s3cret", now) with { Reusable = true });

        Assert.True(store.TryUse("apk_one", SecretHashes.Hash("s3cret"), now.AddHours(1).AddMilliseconds(-1)).IsValid);
        Assert.Equal(PreAuthKeyCheck.Expired, store.TryUse("apk_one", SecretHashes.Hash("s3cret"), now.AddHours(1)).Check);
    }

    [Fact]
    public void Expire_makes_a_key_unusable_now_and_revoke_wins_over_everything()
    {
        using var test = NewDatabase();
        var store = new PreAuthKeyStore(test.Database);
        var now = test.Time.GetUtcNow();
        store.Insert(TestKeys.New("apk_exp", "a", now));
        store.Insert(TestKeys.New("apk_rev", "b", now));

        Assert.Equal(now, store.Expire("apk_exp", now).Row!.ExpiresAt);
        Assert.Equal(now, store.Revoke("apk_rev", now).Row!.RevokedAt);

        Assert.Equal(PreAuthKeyCheck.Expired, store.TryUse("apk_exp", SecretHashes.Hash("a"), now).Check);
        Assert.Equal(PreAuthKeyCheck.Revoked, store.TryUse("apk_rev", SecretHashes.Hash("b"), now).Check);
        Assert.Equal(WriteStatus.NotFound, store.Expire("apk_none", now).Status);
    }

    [Fact]
    public async Task Racing_uses_of_a_single_use_key_let_exactly_one_through()
    {
        using var test = NewDatabase();
        var store = new PreAuthKeyStore(test.Database);
        store.Insert(TestKeys.New("apk_race", "s3cret", test.Time.GetUtcNow()));
        var hash = SecretHashes.Hash("s3cret");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.TryUse("apk_race", hash, test.Time.GetUtcNow()))));

        Assert.Single(results, r => r.IsValid);
        Assert.All(results.Where(r => !r.IsValid), r => Assert.Equal(PreAuthKeyCheck.AlreadyUsed, r.Check));
    }

    [Fact]
    public void Secret_hashes_match_only_full_length_equal_digests()
    {
        var hash = SecretHashes.Hash("abc");

        Assert.Equal(SecretHashes.Size, hash.Length);
        Assert.True(SecretHashes.Matches(hash, SecretHashes.Hash("abc")));
        Assert.False(SecretHashes.Matches(hash, SecretHashes.Hash("abd")));
        Assert.False(SecretHashes.Matches(hash.AsSpan(0, 16), hash.AsSpan(0, 16)));
    }
}

public sealed class PreAuthKeyStoreOnSqliteTests : PreAuthKeyStoreTests
{
    protected override TestDatabase NewDatabase() => new();
}

[Trait("Category", "Postgres")]
public sealed class PreAuthKeyStoreOnPostgresTests(PostgresCluster cluster) : PreAuthKeyStoreTests, IClassFixture<PostgresCluster>
{
    protected override TestDatabase NewDatabase() => new(cluster);
}
