using Appliance.State.Identity;
using Appliance.State.Tests.Support;
using PreAuthKeyStore = Appliance.Storage.Stores.PreAuthKeyStore;

namespace Appliance.State.Tests.Identity;

public sealed class IdentityServicePreAuthKeyTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void A_created_key_is_returned_once_and_listed_by_prefix_only()
    {
        using var state = new StateFixture();
        state.User("alice");

        var created = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", true, true, Hour, ["tag:ci"]));

        Assert.True(created.IsOk);
        var key = created.Value!;
        Assert.StartsWith(key.Record.Prefix + "_", key.Key, StringComparison.Ordinal);
        Assert.Equal(state.Time.GetUtcNow() + Hour, key.Record.ExpiresAt);
        Assert.True(key.Record.Reusable);
        Assert.True(key.Record.Ephemeral);
        Assert.Equal<string>(["tag:ci"], key.Record.Tags);
        var listed = Assert.Single(state.Identity.ListPreAuthKeys("alice").Value!);
        Assert.Equal(key.Record.Prefix, listed.Prefix);
        Assert.Empty(state.Identity.ListPreAuthKeys("bob").Value ?? []);
    }

    [Fact]
    public void Bad_requests_are_refused_with_a_reason()
    {
        using var state = new StateFixture();
        state.User("alice");

        Assert.Equal(OperationStatus.NotFound, state.Identity.CreatePreAuthKey(new("bob", false, false, Hour, [])).Status);
        Assert.Equal(OperationStatus.Invalid, state.Identity.CreatePreAuthKey(new("alice", false, false, TimeSpan.Zero, [])).Status);
        Assert.Equal(OperationStatus.Invalid, state.Identity.CreatePreAuthKey(new("alice", false, false, Hour, ["server"])).Status);
        Assert.Equal(OperationStatus.Invalid, state.Identity.CreatePreAuthKey(new(null, false, false, Hour, [])).Status);
        Assert.True(state.Identity.CreatePreAuthKey(new(null, false, false, Hour, ["tag:server"])).IsOk);
        Assert.Equal(OperationStatus.NotFound, state.Identity.ListPreAuthKeys("bob").Status);
    }

    [Fact]
    public void A_single_use_key_registers_once()
    {
        using var state = new StateFixture();
        state.User("alice");
        var key = state.Identity.CreatePreAuthKey(new("alice", false, false, Hour, [])).Value!.Key;

        Assert.Equal(PreAuthKeyCheck.Valid, state.Identity.TryConsumePreAuthKey(key, state.Time.GetUtcNow()).Check);
        Assert.Equal(PreAuthKeyCheck.AlreadyUsed, state.Identity.TryConsumePreAuthKey(key, state.Time.GetUtcNow()).Check);
    }

    [Fact]
    public void A_reusable_key_registers_many_times_until_it_expires()
    {
        using var state = new StateFixture();
        state.User("alice");
        var key = state.Identity.CreatePreAuthKey(new("alice", true, false, Hour, [])).Value!.Key;

        Assert.True(state.Identity.TryConsumePreAuthKey(key, state.Time.GetUtcNow()).IsValid);
        var second = state.Identity.TryConsumePreAuthKey(key, state.Time.GetUtcNow());
        Assert.True(second.IsValid);
        Assert.Equal(2, second.Key!.UsedCount);

        state.Time.Advance(Hour);
        Assert.Equal(PreAuthKeyCheck.Expired, state.Identity.TryConsumePreAuthKey(key, state.Time.GetUtcNow()).Check);
    }

    [Fact]
    public void An_expired_by_operator_key_is_refused()
    {
        using var state = new StateFixture();
        state.User("alice");
        var created = state.Identity.CreatePreAuthKey(new("alice", true, false, Hour, [])).Value!;

        Assert.True(state.Identity.ExpirePreAuthKey(created.Record.Prefix).IsOk);

        Assert.Equal(PreAuthKeyCheck.Expired, state.Identity.TryConsumePreAuthKey(created.Key, state.Time.GetUtcNow()).Check);
        Assert.Equal(OperationStatus.NotFound, state.Identity.ExpirePreAuthKey("apk_nothere").Status);
    }

    [Fact]
    public void A_revoked_key_is_refused_even_before_expiry()
    {
        using var state = new StateFixture();
        state.User("alice");
        var created = state.Identity.CreatePreAuthKey(new("alice", true, false, Hour, [])).Value!;
        new PreAuthKeyStore(state.Database).Revoke(created.Record.Prefix, state.Time.GetUtcNow());

        Assert.Equal(PreAuthKeyCheck.Revoked, state.Identity.TryConsumePreAuthKey(created.Key, state.Time.GetUtcNow()).Check);
    }

    [Fact]
    public void A_key_with_the_right_prefix_but_a_wrong_secret_is_not_found()
    {
        using var state = new StateFixture();
        state.User("alice");
        var key = state.Identity.CreatePreAuthKey(new("alice", true, false, Hour, [])).Value!.Key;
        var lastChar = key[^1] == 'a' ? 'b' : 'a';
        var forged = key[..^1] + lastChar;

        Assert.Equal(PreAuthKeyCheck.NotFound, state.Identity.TryConsumePreAuthKey(forged, state.Time.GetUtcNow()).Check);
        Assert.Equal(PreAuthKeyCheck.NotFound, state.Identity.TryConsumePreAuthKey("garbage", state.Time.GetUtcNow()).Check);
        Assert.Equal(PreAuthKeyCheck.NotFound, state.Identity.TryConsumePreAuthKey("", state.Time.GetUtcNow()).Check);
        Assert.Equal(0, Assert.Single(state.Identity.ListPreAuthKeys().Value!).UsedCount);
    }

    [Fact]
    public void Api_keys_verify_until_expired()
    {
        using var state = new StateFixture();
        var created = state.Identity.CreateApiKey(TimeSpan.FromDays(1)).Value!;

        // Change the last character to one it is not (a fixed "0" would equal the key 1 time in 62).
        var forged = created.Key[..^1] + (created.Key[^1] == '0' ? '1' : '0');

        Assert.Equal(ApiKeyCheck.Valid, state.Identity.VerifyApiKey(created.Key));
        Assert.Equal(ApiKeyCheck.NotFound, state.Identity.VerifyApiKey(forged));
        Assert.True(state.Identity.ExpireApiKey(created.Record.Prefix).IsOk);
        Assert.Equal(ApiKeyCheck.Expired, state.Identity.VerifyApiKey(created.Key));
        Assert.Single(state.Identity.ListApiKeys());
    }
}
