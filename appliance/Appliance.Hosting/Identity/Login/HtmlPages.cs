using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// How the appliance's own HTML pages answer (the device login page and the admin console): never cached, never
/// framed, no MIME sniffing, no referrer, an isolated browsing context, and the page's Content-Security-Policy.
/// </summary>
internal static class HtmlPages
{
    public static IResult Answer(HttpContext context, int status, string html, string contentSecurityPolicy)
    {
        Secure(context, contentSecurityPolicy);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    public static void Secure(HttpContext context, string contentSecurityPolicy)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers["X-Frame-Options"] = "DENY";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = contentSecurityPolicy;
    }
}
