namespace Appliance.Policy.Model;

/// <summary>The outcome of parsing a policy: a document, or the errors that reject it.</summary>
public sealed record PolicyParseResult(PolicyDocument? Document, IReadOnlyList<PolicyError> Errors)
{
    public bool Success => Document is not null && Errors.Count == 0;
}
