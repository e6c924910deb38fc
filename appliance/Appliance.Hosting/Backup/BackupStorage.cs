using System.Security.Cryptography;
using System.Text;
using Appliance.Storage.Database;

namespace Appliance.Hosting.Backup;

/// <summary>
/// Every database access of the backup area, in one place, through Storage's <see cref="DatabaseArchive"/> (SQLite
/// stays inside Storage): the online copy and the read of the copy's nodes, users and policy for the manifest.
/// </summary>
internal static class BackupStorage
{
    /// <summary>Copies `&lt;data&gt;/appliance.db` into <paramref name="folder"/>; works whether or not `serve` holds the data folder.</summary>
    public static string CopyDatabase(string dataDir, string folder, DateTimeOffset now)
    {
        try
        {
            return DatabaseArchive.CopyDatabase(dataDir, folder, now);
        }
        catch (FileNotFoundException e)
        {
            throw new BackupException(e.Message);
        }
    }

    public static TailnetSummary ReadSummary(string databaseCopy, string? externalPolicyText)
    {
        var archived = DatabaseArchive.ReadSummary(databaseCopy);
        var policy = externalPolicyText ?? archived.PolicyText;
        return new TailnetSummary([.. archived.Nodes], [.. archived.Users], policy is null ? null : Sha256(policy));
    }

    public static int SchemaVersion(string databaseCopy) => DatabaseArchive.SchemaVersion(databaseCopy);

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
