namespace Appliance.Hosting.Startup;

/// <summary>Why the appliance could not open its state. Each maps to its own exit code in the CLI.</summary>
public enum StateOpenFailure
{
    None,

    /// <summary>The data folder cannot be created or written by this user.</summary>
    NotWritable,

    /// <summary>Another appliance process holds the data folder lock.</summary>
    InUse,

    /// <summary>The database is corrupt, not the appliance's, or from a newer release; nothing was written.</summary>
    DatabaseRefused,
}
