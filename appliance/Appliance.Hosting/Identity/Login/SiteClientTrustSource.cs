using Appliance.Hosting.Configuration;
using Appliance.Pki;
using Appliance.Pki.Clients;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// The site CA and its CRLs (identity.client_ca_files, identity.client_crl_files) as the login page checks them.
/// Each look compares the files' sizes and write times with the last load, so a replaced CRL counts at the next page
/// view without a restart. A file that no longer loads is logged (event 3102) and the last good trust stays in
/// force until its lists' nextUpdate, after which site certificates are refused as "revocation unknown": a broken
/// file never replaces a good one, and a missing update fails closed. Null when no site CA is configured.
/// </summary>
public sealed partial class SiteClientTrustSource
{
    private readonly IdentityOptions _options;
    private readonly ILogger<SiteClientTrustSource> _logger;
    private readonly Lock _gate = new();
    private SiteClientTrust? _current;
    private string? _stamp;

    public SiteClientTrustSource(IdentityOptions options, ILogger<SiteClientTrustSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
    }

    public SiteClientTrust? Current
    {
        get
        {
            if (_options.ClientCaFiles.Count == 0)
            {
                return null;
            }

            lock (_gate)
            {
                var stamp = Stamp();
                if (stamp == _stamp)
                {
                    return _current;
                }

                try
                {
                    var next = SiteClientTrust.Load(_options.ClientCaFiles, _options.ClientCrlFiles);

                    // The replaced instance is not disposed: a page view on another thread may still be checking
                    // with it; its certificates are left to the finaliser.
                    _current = next;
                    LogLoaded(_logger, next.Anchors.Count + next.Intermediates.Count, _options.ClientCrlFiles.Count);
                }
                catch (CaException e)
                {
                    LogLoadFailed(_logger, e.Message);
                }

                _stamp = stamp;
                return _current;
            }
        }
    }

    private string Stamp() => string.Join('\n', _options.ClientCaFiles.Concat(_options.ClientCrlFiles).Select(file =>
    {
        var info = new FileInfo(file);
        return info.Exists ? $"{file}|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : file + "|-";
    }));

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "The site CA for client certificates did not load, the last good one stays in force: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Site CA for client certificates loaded: {Certificates} CA certificate(s), {CrlFiles} CRL file(s)")]
    private static partial void LogLoaded(ILogger logger, int certificates, int crlFiles);
}
