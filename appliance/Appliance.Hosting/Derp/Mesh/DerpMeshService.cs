using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Appliance.Derp.Mesh;
using Appliance.Derp.Relay;
using Appliance.Protocol.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp.Mesh;

/// <summary>
/// Runs one <see cref="DerpMeshClient"/> per <c>derp.mesh_peers</c> entry for the life of the process. Each link
/// reconnects by itself with backoff; a fault in one never stops the others or the process.
/// </summary>
internal sealed class DerpMeshService(
    DerpServer server,
    NodePrivate serverKey,
    DerpMeshKey meshKey,
    IReadOnlyList<Uri> peers,
    string caFile,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    public IReadOnlyList<DerpMeshClient> Clients { get; private set; } = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dialer = new HttpDerpMeshDialer(Validation(caFile));
        var logger = loggers.CreateLogger("Appliance.Derp.Mesh");
        Clients = [.. peers.Select(peer => new DerpMeshClient(peer, server, serverKey, meshKey, dialer, null, time, logger))];
        return Task.WhenAll(Clients.Select(client => Task.Run(() => client.RunAsync(stoppingToken), CancellationToken.None)));
    }

    /// <summary>The system's trust, plus the CA certificates in <c>derp.mesh_ca_file</c> when it is set.</summary>
    private static RemoteCertificateValidationCallback? Validation(string caFile)
    {
        if (caFile.Length == 0)
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0 || certificate is null)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    _ = custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return custom.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }
}
