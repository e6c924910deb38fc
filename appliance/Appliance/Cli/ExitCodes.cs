namespace Appliance.Cli;

/// <summary>
/// Process exit codes, from sysexits.h where one fits, so systemd units and scripts can tell failures apart
/// (the unit's RestartPreventExitStatus lists the ones a restart cannot fix).
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    /// <summary>The command line does not parse, or a destructive verb ran without a terminal and without --force.</summary>
    public const int Usage = 2;

    /// <summary>The operator answered no to a confirmation question; nothing was changed.</summary>
    public const int NotConfirmed = Failure;

    /// <summary>EX_DATAERR: the database is corrupt, foreign or from a newer release; nothing was written.</summary>
    public const int DataRefused = 65;

    /// <summary>EX_NOINPUT: no appliance data (no database) in the folder the command looked at; nothing was created.</summary>
    public const int NoData = 66;
    /// <summary>EX_UNAVAILABLE: `appliance health` found the service not running or not ready.</summary>
    public const int Unavailable = 69;

    /// <summary>EX_CANTCREAT: the data folder cannot be created or written.</summary>
    public const int NotWritable = 73;

    /// <summary>EX_TEMPFAIL: another appliance process holds the data folder.</summary>
    public const int InUse = 75;

    /// <summary>EX_CONFIG: the configuration is invalid.</summary>
    public const int Config = 78;
}
