using Appliance.Storage.Stores;

namespace Appliance.Storage.Tests.Support;

internal static class TestKeys
{
    public static NewPreAuthKey New(string prefix, string secret, DateTimeOffset now) => new(
        prefix,
        SecretHashes.Hash(secret),
        UserId: null,
        Tags: ["tag:server"],
        Reusable: false,
        Ephemeral: false,
        ExpiresAt: now.AddHours(1),
        CreatedAt: now);
}
