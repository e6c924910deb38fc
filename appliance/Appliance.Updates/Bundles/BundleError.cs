namespace Appliance.Updates.Bundles;

/// <summary>Why a bundle or its trust chain was refused. Values are persisted in the history journal: append only.</summary>
public enum BundleError
{
    None = 0,
    NotABundle = 1,
    UnsupportedFormat = 2,
    Truncated = 3,
    TooLarge = 4,
    TrailingData = 5,
    ManifestInvalid = 6,
    SignatureThresholdNotMet = 7,
    UnsafePath = 8,
    NotARegularFile = 9,
    DuplicateEntry = 10,
    EntryNotInManifest = 11,
    EntryMissing = 12,
    SizeMismatch = 13,
    HashMismatch = 14,
    Expired = 15,
    NotNewer = 16,
    BelowMinimumVersion = 17,
    WrongArchitecture = 18,
    TrustRootInvalid = 19,
    Io = 20,
    ContentInvalid = 21,
    CreatedInFuture = 22,
}
