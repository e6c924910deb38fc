namespace Appliance.Cli;

/// <summary>Process exit codes; 78 is sysexits.h EX_CONFIG, which systemd units and scripts know.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Config = 78;
}
