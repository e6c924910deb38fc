using System.Globalization;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Control.Noise;

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
            new OverTLSPublicKeyResponse { LegacyPublicKey = MachinePublic.Zero, PublicKey = serverKey.Public },
            ControlJsonContext.Default.OverTLSPublicKeyResponse,
            contentType: "application/json",
            context.RequestAborted);
    }
}
