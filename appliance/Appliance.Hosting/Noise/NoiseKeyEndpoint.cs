using System.Globalization;
using System.Text.Json.Serialization;
using Appliance.Protocol.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Noise;

/// <summary>
/// <c>GET /key?v=&lt;capver&gt;</c>: the server's Noise public key as tailcfg.OverTLSPublicKeyResponse
/// (tailcfg/tailcfg.go; headscale hscontrol/handlers.go KeyHandler): 400 if v is missing or not a number; the legacy
/// key is the all-zero mkey, as headscale sends.
/// </summary>
public static class NoiseKeyEndpoint
{
    public static Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var serverKey = context.RequestServices.GetRequiredService<NoiseServerKey>();
        var v = context.Request.Query["v"].ToString();
        if (v.Length == 0 || !int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("missing or invalid v parameter\n", context.RequestAborted);
        }

        return context.Response.WriteAsJsonAsync(
            new OverTlsPublicKeyResponse(MachinePublic.Zero, serverKey.Public),
            NoiseHostingJsonContext.Default.OverTlsPublicKeyResponse,
            contentType: "application/json",
            context.RequestAborted);
    }
}

/// <summary>tailcfg.OverTLSPublicKeyResponse; the JSON tags are lowercase.</summary>
public sealed record OverTlsPublicKeyResponse(
    [property: JsonPropertyName("legacyPublicKey")] MachinePublic LegacyPublicKey,
    [property: JsonPropertyName("publicKey")] MachinePublic PublicKey);

[JsonSerializable(typeof(OverTlsPublicKeyResponse))]
internal sealed partial class NoiseHostingJsonContext : JsonSerializerContext;
