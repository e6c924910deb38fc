using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.Derp;

/// <summary>
/// The small HTTP endpoints beside <c>/derp</c> (derpserver/handler.go ProbeHandler; cmd/derper serveNoContent):
/// latency probes answered 200 with <c>Access-Control-Allow-Origin: *</c>, and the captive-portal check
/// <c>/generate_204</c> which echoes a well-formed <c>X-Tailscale-Challenge</c>.
/// </summary>
internal static class DerpProbeEndpoints
{
    /// <summary>derper accepts challenges of at most 64 characters from this set (cmd/derper/derper.go isChallengeChar).</summary>
    private const int MaxChallengeLength = 64;

    private static readonly SearchValues<char> ChallengeChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:");

    public static Task Probe(HttpContext context)
    {
        context.Response.Headers.AccessControlAllowOrigin = "*";
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    }

    public static Task NoContent(HttpContext context)
    {
        var challenge = context.Request.Headers["X-Tailscale-Challenge"].ToString();
        if (challenge.Length is > 0 and <= MaxChallengeLength && !challenge.AsSpan().ContainsAnyExcept(ChallengeChars))
        {
            context.Response.Headers["X-Tailscale-Response"] = "response " + challenge;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
