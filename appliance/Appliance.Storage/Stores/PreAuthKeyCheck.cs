namespace Appliance.Storage.Stores;

/// <summary>
/// The outcome of presenting a pre-auth key. Persisted nowhere, but returned over the admin API and logged:
/// keep the names stable.
/// </summary>
internal enum PreAuthKeyCheck
{
    Valid,

    /// <summary>No key with that prefix, or the secret did not match (the two are not told apart).</summary>
    NotFound,

    Expired,

    /// <summary>A single-use key that has already registered a node.</summary>
    AlreadyUsed,

    Revoked,
}

/// <summary>The check result and, when Valid, the key as it is after this use.</summary>
internal readonly record struct PreAuthKeyUse(PreAuthKeyCheck Check, PreAuthKeyRecord? Key)
{
    public bool IsValid => Check == PreAuthKeyCheck.Valid;
}
