namespace Appliance.Updates.Bundles;

/// <summary>A release switches the binary (and may carry content); a content bundle only replaces content files.</summary>
public enum BundleKind
{
    Release,
    Content,
}
