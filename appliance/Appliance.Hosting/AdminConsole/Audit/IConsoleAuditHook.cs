namespace Appliance.Hosting.AdminConsole.Audit;

/// <summary>
/// Where every console action lands, with the person's name: the hook for the tamper-evident audit log (issue 15).
/// Today <see cref="LoggingConsoleAuditHook"/> writes each entry as a log event (7001 done, 7002 refused); the
/// audit log registers its own implementation (DI: the last registration wins) and the console needs no change.
/// </summary>
public interface IConsoleAuditHook
{
    void Record(ConsoleAuditEntry entry);
}

/// <param name="Person">The login name from the identity file (<c>alice@site</c>).</param>
/// <param name="Action">What was asked, e.g. <c>node.rename</c>, <c>policy.set</c>.</param>
/// <param name="Target">What it was asked of: a node id, key prefix, registration id, policy version.</param>
/// <param name="Outcome"><c>ok</c>, or why not (<c>forbidden</c>, <c>invalid: …</c>, <c>notFound: …</c>).</param>
public sealed record ConsoleAuditEntry(DateTimeOffset At, string Person, string Role, string Action, string Target, string Outcome, string Address)
{
    public bool Succeeded => Outcome == "ok";
}
