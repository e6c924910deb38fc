using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.AdminConsole;

/// <summary>A GET page: the person is logged in and may read.</summary>
internal delegate Task<IResult> ConsolePageHandler(ConsoleUser user, HttpContext context);

/// <summary>A change: the person is logged in, the CSRF token matched and their role may change the route's area.</summary>
internal delegate Task<ChangeOutcome> ConsoleChangeHandler(ConsoleUser user, IFormCollection form, HttpContext context);

/// <summary>What a change did, for the audit hook (<paramref name="Outcome"/> is <c>ok</c> or why not) and the browser.</summary>
internal sealed record ChangeOutcome(string Target, string Outcome, IResult Response);

/// <summary>One change route of the console: its pattern, the area a role must be allowed to change, the audit action name.</summary>
public sealed record ConsoleChangeRoute(string Pattern, ConsoleArea Area, string Action, long MaxFormBytes = ConsoleChangeRoute.DefaultMaxFormBytes)
{
    public const int DefaultMaxFormBytes = 16 * 1024;
}
