namespace Appliance.Pki;

/// <summary>What went wrong in a <see cref="CaException"/>; the CLI maps these to exit codes and hints.</summary>
public enum CaErrorKind
{
    /// <summary>Unclassified.</summary>
    Unknown = 0,

    /// <summary>A file the CA needs is absent (the data folder was partly deleted or restored incompletely).</summary>
    MissingFile = 1,

    /// <summary>A file exists but does not parse, or a key does not belong to its certificate.</summary>
    CorruptFile = 2,

    /// <summary>A private key file or the CA folder is readable or writable by group or others.</summary>
    InsecurePermissions = 3,

    /// <summary>A requested name or address lies outside the intermediate's name constraints.</summary>
    NameOutsideConstraints = 4,

    /// <summary><c>ca init</c> on a data folder that already holds a CA.</summary>
    AlreadyInitialised = 5,

    /// <summary>An operation that needs a CA on a data folder that has none.</summary>
    NotInitialised = 6,

    /// <summary>The operation needs the root private key, which is offline and was not supplied.</summary>
    RootKeyUnavailable = 7,

    /// <summary>Options or arguments that cannot work (no names, bad lifetime, unknown serial).</summary>
    InvalidRequest = 8,
}
