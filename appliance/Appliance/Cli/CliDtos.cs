using Appliance.Hosting.Admin;

namespace Appliance.Cli;

// JSON shapes of verbs that do not go through the admin API (camelCase, like AdminDtos). Add fields, never rename:
// scripts read them. docs/cli.md lists them per verb.

/// <summary>`nodes list-routes`: <see cref="ServedRoutes"/> are advertised and approved, so clients get them.</summary>
public sealed record NodeRoutesDto(long Id, string Name, IReadOnlyList<string> AdvertisedRoutes, IReadOnlyList<string> ApprovedRoutes, IReadOnlyList<string> ServedRoutes)
{
    public static NodeRoutesDto Of(NodeDto node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new NodeRoutesDto(node.Id, node.Name, node.AdvertisedRoutes, node.ApprovedRoutes, [.. node.AdvertisedRoutes.Intersect(node.ApprovedRoutes, StringComparer.Ordinal)]);
    }
}

/// <summary>`appliance version`.</summary>
public sealed record VersionDto(string Version);

/// <summary>`appliance config check`: valid or not, where the configuration came from, and every problem.</summary>
public sealed record ConfigCheckDto(bool Valid, string Source, IReadOnlyList<string> Problems);

/// <summary>`appliance health`: what answered, at which address.</summary>
public sealed record HealthDto(string Status, string Url, bool Live, bool Ready, bool AdminSocket, string? Detail);

/// <summary>`appliance ca status`, one certificate. <see cref="Sha256"/> is AB:CD:... as `openssl x509 -fingerprint -sha256` prints it.</summary>
public sealed record CaCertificateDto(string Role, string Subject, string Serial, string Sha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>`appliance ca status`.</summary>
public sealed record CaStatusDto(string Folder, string Mode, IReadOnlyList<CaCertificateDto> Certificates, string? DerpPin, IReadOnlyList<string> Findings);

/// <summary>`appliance ca init|rotate|revoke`: what changed.</summary>
public sealed record CaChangeDto(string Result, string? RootSha256, string? Serial, string Message);

/// <summary>`appliance update status`.</summary>
public sealed record UpdateStatusDto(int? RootVersion, string? Current, string? Previous, string? Content, IReadOnlyList<string> Releases, string? Interrupted);

/// <summary>`appliance update ...` that apply or roll back.</summary>
public sealed record UpdateOutcomeDto(bool Succeeded, string Result, string? Error, string Message);

/// <summary>`appliance update adopt`: the release now current.</summary>
public sealed record UpdateAdoptDto(string Version, string Message);

/// <summary>`appliance update root import`: whether the root metadata was pinned, and its version.</summary>
public sealed record RootImportDto(bool Accepted, int? Version, string Message);

/// <summary>`appliance update root show`: the pinned root metadata's version, key ids (64 hex digits) and thresholds.</summary>
public sealed record RootMetadataDto(int Version, int RootThreshold, IReadOnlyList<string> RootKeys, int SigningThreshold, IReadOnlyList<string> SigningKeys);

/// <summary>`appliance policy set|check`.</summary>
public sealed record PolicyResultDto(bool Valid, long? Version, string? Sha256, string Message);
