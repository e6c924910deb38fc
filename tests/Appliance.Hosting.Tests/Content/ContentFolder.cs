using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Hosting.Content;

namespace Appliance.Hosting.Tests.Content;

/// <summary>A temp data folder with an update content folder in it, plus helpers that write content files.</summary>
internal sealed class ContentFolder : IDisposable
{
    public const string GoodMap = """{"Regions":{"901":{"RegionID":901,"RegionCode":"b","RegionName":"B","Nodes":[{"Name":"901a","RegionID":901,"HostName":"b.lan"}]}}}""";

    public ContentFolder()
    {
        DataDir = Directory.CreateTempSubdirectory("content-test-").FullName;
        Files = UpdateContentFiles.ForDataDir(DataDir);
        Directory.CreateDirectory(Files.Folder);
    }

    public string DataDir { get; }

    public UpdateContentFiles Files { get; }

    public static string CertificatePem(bool ca, DateTimeOffset notAfter, string subject = "CN=Extra Root")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        using var certificate = request.CreateSelfSigned(notAfter.AddYears(-2), notAfter);
        return certificate.ExportCertificatePem() + "\n";
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
