using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki;
using Appliance.Pki.Authority;
using Appliance.Pki.Health;
using Appliance.Pki.Serving;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Tls;

/// <summary>
/// Owns the certificate the HTTPS listener serves. Construction loads it (initialising the CA on an empty data
/// folder) and throws <see cref="CaException"/> on bad files, so <c>serve</c> stops with a clear message instead of
/// starting without TLS. <see cref="Check"/> (called by <see cref="TlsRenewalService"/> every
/// <see cref="ApplianceTlsOptions.CheckInterval"/>) renews at <see cref="ApplianceTlsOptions.RenewAt"/> of the leaf's
/// life, picks up what <c>appliance ca rotate|revoke</c> or the site changed on disk, and swaps
/// <see cref="Current"/> atomically. Established connections are untouched; new handshakes get the new certificate.
/// </summary>
public sealed partial class TlsCertificateStore
{
    private readonly ILogger<TlsCertificateStore> _logger;
    private readonly Lock _checkGate = new();
    private TlsSnapshot _current;
    private IReadOnlyList<CertificateInfo> _authority = [];
    private CertificateHealthStatus _lastLoggedHealth = CertificateHealthStatus.Healthy;
    private string _stamp = string.Empty;

    public TlsCertificateStore(ApplianceTlsOptions options, TimeProvider time, ILogger<TlsCertificateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Mode == TlsMode.Off)
        {
            throw new InvalidOperationException("tls.mode is 'off': do not add an HTTPS listener.");
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new CaException(CaErrorKind.InvalidRequest, string.Join(Environment.NewLine, errors));
        }

        Options = options;
        Time = time;
        _logger = logger;
        _current = new TlsSnapshot(Load(), AcceptableIssuers());
        _stamp = FileStamp();
        Log.Serving(_logger, _current.Certificate.Source, _current.Certificate.SerialNumber, _current.Certificate.NotAfter, _current.Pin);
    }

    /// <summary>Raised after <see cref="Current"/> changed (renewal, rotation, revocation, new site files).
    /// The control plane uses it to send clients a DERPMap with the new <see cref="TlsSnapshot.Pin"/>.</summary>
    public event Action<TlsSnapshot>? Changed;

    public ApplianceTlsOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>The live snapshot; read without locks.</summary>
    public TlsSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Per-handshake TLS settings: the certificate context the presentation policy picks for this SNI.</summary>
    public SslServerAuthenticationOptions ServerOptionsFor(string? serverName) => new()
    {
        ServerCertificateContext = Current.Select(Options.Chain, serverName),

        // identity.certificate_login: a CertificateRequest in every handshake (the path is not known yet; TLS 1.3
        // post-handshake renegotiation is neither allowed with HTTP/2 nor supported by Chromium). The handshake
        // accepts any certificate or none: possession of the key is proven by the handshake itself, and the login
        // page checks chain, dates, usage and revocation against the local CA so it can say why one is refused.
        ClientCertificateRequired = Options.RequestClientCertificate,
#pragma warning disable CA5359 // This validates the *client's* certificate, which is optional here; the login page checks it (ClientCertificateVerifier).
        RemoteCertificateValidationCallback = Options.RequestClientCertificate ? AcceptAnyClientCertificate : null,
#pragma warning restore CA5359
    };

    private static bool AcceptAnyClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;

    /// <summary>
    /// Dates of the served leaf, its chain and (local-ca mode) the CA's root: Critical when one expires within 7
    /// days. The hosting helper's /ready consults <see cref="CertificateHealthReport.IsCritical"/>.
    /// </summary>
    public CertificateHealthReport GetHealth() =>
        CertificateHealth.Evaluate([.. Current.Certificates, .. Volatile.Read(ref _authority)], Time.GetUtcNow());

    /// <summary>
    /// Renews or reloads if needed and swaps the snapshot. Never throws for CA or file problems: those are logged and
    /// the current certificate stays in service (a broken renewal must not take the listener down).
    /// </summary>
    public TlsCheckOutcome Check()
    {
        lock (_checkGate)
        {
            TlsCheckOutcome outcome;
            try
            {
                // Cheap path, taken almost every time: nothing on disk changed and the leaf is not due.
                var stamp = FileStamp();
                var due = Options.Mode == TlsMode.LocalCa && Time.GetUtcNow() >= Current.Certificate.RenewAfter;
                if (stamp == _stamp && !due)
                {
                    LogHealthChanges();
                    return TlsCheckOutcome.Unchanged;
                }

                var next = Load();
                var issuers = AcceptableIssuers();
                _stamp = FileStamp();
                var issuersKey = issuers is null ? "" : string.Join(',', issuers.Select(c => c.Thumbprint));
                if (string.Equals(next.Pin, Current.Pin, StringComparison.Ordinal) && next.Chain.Count == Current.Certificate.Chain.Count &&
                    string.Equals(issuersKey, Current.IssuersKey, StringComparison.Ordinal))
                {
                    next.Dispose();
                    outcome = TlsCheckOutcome.Unchanged;
                }
                else
                {
                    var snapshot = new TlsSnapshot(next, issuers);
                    Volatile.Write(ref _current, snapshot);
                    Log.Swapped(_logger, next.Source, next.SerialNumber, next.NotAfter, next.Pin);
                    Changed?.Invoke(snapshot);
                    outcome = TlsCheckOutcome.Swapped;
                }
            }
            catch (CaException e)
            {
                Log.CheckFailed(_logger, e.Kind, e.Message);
                outcome = TlsCheckOutcome.Failed;
            }
            catch (IOException e)
            {
                Log.CheckFailed(_logger, CaErrorKind.Unknown, e.Message);
                outcome = TlsCheckOutcome.Failed;
            }

            LogHealthChanges();
            return outcome;
        }
    }

    private ServingCertificate Load()
    {
        if (Options.Mode == TlsMode.Files)
        {
            return SiteCertificate.Load(Options.CertFile!, Options.KeyFile!, Options.RenewAt);
        }

        // Reopened at every check: the CLI may have rotated the intermediate or revoked the leaf meanwhile.
        var options = Options.ToCaOptions();
        var ca = LocalCa.EnsureInitialised(Options.DataDir, options, Time);
        try
        {
            if (ca.Mode == CaMode.Embedded && ca.NamesOutsideConstraints(options.DnsNames, options.IpAddresses) is { Count: > 0 } outside)
            {
                // The root key is here, so a renamed appliance just gets an intermediate for its new names. In
                // offline-root mode EnsureLeaf refuses instead, telling the operator to bring the root media.
                Log.IntermediateRotatedForNames(_logger, string.Join(", ", outside));
                var rotated = ca.RotateIntermediate(options, offlineRootDir: null);
                ca.Dispose();
                ca = rotated;
            }

            Volatile.Write(ref _authority, [CertificateInfo.Of(CertificateRole.Root, ca.Root), CertificateInfo.Of(CertificateRole.Intermediate, ca.Intermediate)]);
            return ca.EnsureLeaf(options);
        }
        finally
        {
            ca.Dispose();
        }
    }

    /// <summary>
    /// With client certificates asked for: the local CA's roots and intermediate (what <c>users cert issue</c> signs
    /// with) and the site CAs of identity.client_ca_files, as acceptable issuers; otherwise null. A broken site CA
    /// file throws <see cref="CaException"/> (serve refuses to start; a check keeps the current snapshot).
    /// </summary>
    private X509Certificate2Collection? AcceptableIssuers()
    {
        if (!Options.RequestClientCertificate)
        {
            return null;
        }

        var issuers = new X509Certificate2Collection();
        var local = new Appliance.Pki.Files.CaDirectory(Options.DataDir);
        foreach (var file in new[] { local.TrustBundle, local.IntermediateCertificate })
        {
            if (File.Exists(file))
            {
                issuers.AddRange(Appliance.Pki.Files.SecureFile.ReadCertificates(file).ToArray());
            }
        }

        if (Options.ClientCaFiles.Count > 0)
        {
            using var site = Appliance.Pki.Clients.SiteClientTrust.Load(Options.ClientCaFiles, []);
            issuers.AddRange(site.Certificates.Select(c => X509CertificateLoader.LoadCertificate(c.RawData)).ToArray());
        }

        return issuers;
    }

    /// <summary>Names, sizes and write times of the files that define what is served (and whose certificates are asked for).</summary>
    private string FileStamp()
    {
        var caFolder = Path.Combine(Options.DataDir, "ca");
        IEnumerable<string> caFiles = Directory.Exists(caFolder) ? Directory.EnumerateFiles(caFolder) : [];
        IEnumerable<string> files = Options.Mode == TlsMode.Files ? [Options.CertFile!, Options.KeyFile!] : caFiles;
        if (Options.RequestClientCertificate)
        {
            files = files.Concat(Options.Mode == TlsMode.Files ? caFiles : []).Concat(Options.ClientCaFiles);
        }

        var stamp = new System.Text.StringBuilder();
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            stamp.Append(file).Append('|').Append(info.Exists ? info.Length : -1).Append('|')
                .Append(info.Exists ? info.LastWriteTimeUtc.Ticks : 0).Append('\n');
        }

        return stamp.ToString();
    }

    private void LogHealthChanges()
    {
        var health = GetHealth();
        if (health.Status == _lastLoggedHealth)
        {
            return;
        }

        _lastLoggedHealth = health.Status;
        foreach (var finding in health.Findings)
        {
            if (finding.Status == CertificateHealthStatus.Critical)
            {
                Log.ExpiryCritical(_logger, finding.Message);
            }
            else
            {
                Log.ExpiryWarning(_logger, finding.Message);
            }
        }
    }
}

/// <summary>What one <see cref="TlsCertificateStore.Check"/> did.</summary>
public enum TlsCheckOutcome
{
    Unchanged = 0,
    Swapped = 1,
    Failed = 2,
}
