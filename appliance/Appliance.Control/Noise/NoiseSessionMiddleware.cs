using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Appliance.Control.Noise;

/// <summary>
/// Puts the connection's <see cref="INoiseSessionFeature"/> on every request that arrived inside a Noise session and
/// applies the inner body limit. A request from any other listener never gets the feature: only
/// <see cref="NoiseConnectionContext"/> puts a session in the connection items.
/// </summary>
public sealed class NoiseSessionMiddleware
{
    private readonly RequestDelegate _next;
    private readonly long _maxRequestBodySize;

    public NoiseSessionMiddleware(RequestDelegate next, IOptions<NoiseOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _next = next;
        _maxRequestBodySize = options.Value.MaxRequestBodySize;
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null
            && items.TryGetValue(NoiseConnectionContext.SessionItemKey, out var value)
            && value is NoiseSessionFeature session)
        {
            context.Features.Set<INoiseSessionFeature>(session);
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = _maxRequestBodySize;
            }
        }
        else
        {
            // Kestrel may fall back to connection features; make sure nothing leaks onto non-Noise requests.
            context.Features.Set<INoiseSessionFeature>(null);
        }

        return _next(context);
    }
}
