using Appliance.Protocol.Control;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Control.Handlers;

/// <summary>Checks shared by every /machine/* handler: arrived over Noise, supported version, bounded body.</summary>
internal static class ControlRequest
{
    public static INoiseSessionFeature? Noise(HttpContext context) => context.Features.Get<INoiseSessionFeature>();

    /// <summary>Reads the body up to <see cref="ControlJson.MaxRequestBytes"/>; null when it is larger.</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > ControlJson.MaxRequestBytes)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = ControlJson.MaxRequestBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > ControlJson.MaxRequestBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }

        return buffer.ToArray();
    }

    public static Task TextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }

    /// <summary>The headscale wording for the capability floor (protocol.md §2).</summary>
    public static bool IsSupported(int version) => version >= CapabilityVersion.MinimumSupported;

    public static string Unsupported(int version) => $"unsupported client version: {version}";
}
