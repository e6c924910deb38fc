using Appliance.Updates.Signing;
using Appliance.Updates.Trust;

namespace Appliance.Updates.Tests.TestSupport;

/// <summary>Keys generated once per test run: three root keys, three signing keys and an outsider.</summary>
public static class TestKeys
{
    public static readonly SigningKey Root1 = SigningKey.Generate();
    public static readonly SigningKey Root2 = SigningKey.Generate();
    public static readonly SigningKey Root3 = SigningKey.Generate();
    public static readonly SigningKey Signer1 = SigningKey.Generate();
    public static readonly SigningKey Signer2 = SigningKey.Generate();
    public static readonly SigningKey Signer3 = SigningKey.Generate();
    public static readonly SigningKey Outsider = SigningKey.Generate();

    /// <summary>Root version 1: root 2-of-3, signing 2-of-3, signed by Root1 and Root2.</summary>
    public static RootMetadata RootV1 { get; } =
        RootMetadata.Create(1, [Root1.Public, Root2.Public, Root3.Public], 2, [Signer1.Public, Signer2.Public, Signer3.Public], 2)
            .WithSignature(Root1).WithSignature(Root2);
}
