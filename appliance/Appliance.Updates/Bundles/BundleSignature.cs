using Appliance.Updates.Signing;

namespace Appliance.Updates.Bundles;

/// <summary>One signature in a bundle's signature block.</summary>
public sealed record BundleSignature(KeyId KeyId, ReadOnlyMemory<byte> Signature)
{
    public static BundleSignature Create(SigningKey key, BundleManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(manifest);
        return new BundleSignature(key.Public.Id, key.Sign(SignatureDomain.ManifestMessage(manifest.Bytes)));
    }
}
