namespace Appliance.Hosting.AdminConsole;

/// <summary>The console's log event ids (block 7001..; docs/console.md lists them). Stable once released.</summary>
public static class ConsoleEvents
{
    public const int ActionDoneId = 7001;
    public const int ActionNotDoneId = 7002;
    public const int LoggedInId = 7003;
    public const int LoginRefusedId = 7004;
    public const int LoggedOutId = 7005;
    public const int CertificateLoginId = 7006;

    /// <summary>A verified bundle was handed to root's importer through the update inbox.</summary>
    public const int UpdateRequestedId = 7011;

    /// <summary>A bundle waits in the inbox but no appliance-update.path is installed to import it.</summary>
    public const int NoUpdateImporterId = 7012;
}
