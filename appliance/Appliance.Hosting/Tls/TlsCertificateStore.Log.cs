using Appliance.Pki;
using Appliance.Pki.Serving;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Tls;

public sealed partial class TlsCertificateStore
{
    /// <summary>TLS log events, ids 5001-5099 (issue 5).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "HTTPS certificate from {Source}: serial {Serial}, expires {NotAfter:u}, DERP pin {Pin}")]
        public static partial void Serving(ILogger logger, ServingSource source, string serial, DateTimeOffset notAfter, string pin);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "HTTPS certificate replaced without restart ({Source}): serial {Serial}, expires {NotAfter:u}, DERP pin {Pin}")]
        public static partial void Swapped(ILogger logger, ServingSource source, string serial, DateTimeOffset notAfter, string pin);

        [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "HTTPS certificate check failed ({Kind}); still serving the current certificate: {Reason}")]
        public static partial void CheckFailed(ILogger logger, CaErrorKind kind, string reason);

        [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Certificate expiry warning: {Finding}")]
        public static partial void ExpiryWarning(ILogger logger, string finding);

        [LoggerMessage(EventId = 5005, Level = LogLevel.Error, Message = "Certificate expiry critical: {Finding}")]
        public static partial void ExpiryCritical(ILogger logger, string finding);

        [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Configured TLS names {Names} are outside the intermediate's constraints; issuing a new intermediate with the embedded root")]
        public static partial void IntermediateRotatedForNames(ILogger logger, string names);
    }
}
