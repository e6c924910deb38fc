namespace Appliance.Cli;

/// <summary>Neither a running service (admin socket) nor a database where the command looked; exit 66.</summary>
public sealed class NoDataFolderException(string dataDirectory, string adminSocket)
    : Exception($"no appliance found: nothing answers on {adminSocket} and there is no database in {dataDirectory}. "
        + "Start the service (systemctl start appliance), or name the data folder with --data-dir or APPLIANCE_DATA_DIR.")
{
    public string DataDirectory { get; } = dataDirectory;
}
