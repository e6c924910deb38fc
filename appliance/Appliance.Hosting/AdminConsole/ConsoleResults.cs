using Appliance.Hosting.Identity.Login;
using Appliance.State.Identity;
using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.AdminConsole;

/// <summary>How console pages answer: HTML with the console's security headers, or a 303 back to a page.</summary>
internal static class ConsoleResults
{
    /// <summary>
    /// Strict: nothing but this origin's stylesheet; no scripts at all, no inline styles, forms post only here,
    /// never framed. Pages work without JavaScript, so the policy costs nothing.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IResult Html(HttpContext context, int status, string html) => HtmlPages.Answer(context, status, html, ContentSecurityPolicy);

    /// <summary>303 See Other to a console path (post, redirect, get): a reload never repeats the change.</summary>
    public static IResult Redirect(HttpContext context, string path)
    {
        Secure(context);
        context.Response.Headers.Location = path;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    public static void Secure(HttpContext context) => HtmlPages.Secure(context, ContentSecurityPolicy);

    public static int StatusFor(OperationStatus status) => Admin.AdminResponses.StatusCodeFor(status);

    /// <summary>The audit outcome for a State result: <c>ok</c>, or its status and message.</summary>
    public static string Outcome<T>(OperationResult<T> result) =>
        result.IsOk ? "ok" : Admin.AdminResponses.StatusName(result.Status) + ": " + result.Error;
}
