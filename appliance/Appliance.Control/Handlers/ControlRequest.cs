using Appliance.Control.Metrics;
using Appliance.Protocol.Control;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Control.Handlers;

/// <summary>Checks shared by every /machine/* handler: arrived over Noise, supported version, bounded body.</summary>
internal static class ControlRequest
{
    public static INoiseSessionFeature? Noise(HttpContext context) => context.Features.Get<INoiseSessionFeature>();

    /// <summary>The control instruments, when the host registered them (AddControl does).</summary>
    public static ControlMetrics? Metrics(HttpContext context) => context.RequestServices.GetService(typeof(ControlMetrics)) as ControlMetrics;

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

    /// <summary>
    /// The transport checks every /machine/* POST shares, in order: arrived over Noise (403), bounded body (413),
    /// parses (400), supported capability version in both the body and the Noise header (400). On failure the
    /// response has been written and the result is null.
    /// </summary>
    public static async Task<(INoiseSessionFeature Noise, T Request)?> ReadAsync<T>(
        HttpContext context, Func<byte[], T> parse, Func<T, int> versionOf)
    {
        if (Noise(context) is not { } noise)
        {
            Metrics(context)?.Refused("not_noise");
            await TextAsync(context, StatusCodes.Status403Forbidden, "control requests must arrive over ts2021 Noise").ConfigureAwait(false);
            return null;
        }

        if (await ReadBodyAsync(context).ConfigureAwait(false) is not { } body)
        {
            Metrics(context)?.Refused("too_large");
            await TextAsync(context, StatusCodes.Status413PayloadTooLarge, "request body too large").ConfigureAwait(false);
            return null;
        }

        T request;
        try
        {
            request = parse(body);
        }
        catch (ControlProtocolException e)
        {
            Metrics(context)?.Refused("malformed");
            await TextAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return null;
        }

        var version = versionOf(request);
        if (!IsSupported(version) || !IsSupported(noise.ProtocolVersion))
        {
            Metrics(context)?.Refused("unsupported_version");
            await TextAsync(context, StatusCodes.Status400BadRequest, Unsupported(version)).ConfigureAwait(false);
            return null;
        }

        return (noise, request);
    }

    public static Task TextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }

    /// <summary>Seconds a client is asked to wait (Retry-After) when the database refused a write.</summary>
    public const int StorageRetryAfterSeconds = 10;

    /// <summary>
    /// 503 with <c>Retry-After</c> and a short reason: the database refused the write (full, read-only) and nothing
    /// changed (issue 12). A Tailscale client logs the body and retries with back-off; an unhandled exception would
    /// have been a 500 with no reason.
    /// </summary>
    public static Task StorageUnavailableAsync(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = StorageRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TextAsync(context, StatusCodes.Status503ServiceUnavailable, message);
    }

    /// <summary>The headscale wording for the capability floor (docs/wire/control.md "Capability versions").</summary>
    public static bool IsSupported(int version) => version >= CapabilityVersion.MinimumSupported;

    public static string Unsupported(int version) => $"unsupported client version: {version}";
}
