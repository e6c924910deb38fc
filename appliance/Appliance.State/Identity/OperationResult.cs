using System.Diagnostics.CodeAnalysis;

namespace Appliance.State.Identity;

/// <summary>The expected outcomes of an operator action (CLI verb, admin API call).</summary>
public enum OperationStatus
{
    Ok,

    /// <summary>The user, key or node named does not exist.</summary>
    NotFound,

    /// <summary>The request clashes with existing state: a taken name, a user who still owns nodes.</summary>
    Conflict,

    /// <summary>The input breaks a rule (a bad name, tag or duration); the error says which.</summary>
    Invalid,

    /// <summary>The database refused the write (read-only, full); nothing was changed and the command may be retried.</summary>
    Unavailable,
}

/// <summary>An action's outcome: the value when Ok, otherwise a message for the operator.</summary>
public readonly record struct OperationResult<T>(OperationStatus Status, T? Value, string? Error)
{
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Status == OperationStatus.Ok;
}

/// <summary>Factories for <see cref="OperationResult{T}"/>.</summary>
public static class OperationResult
{
    public static OperationResult<T> Ok<T>(T value) => new(OperationStatus.Ok, value, null);

    public static OperationResult<T> NotFound<T>(string error) => new(OperationStatus.NotFound, default, error);

    public static OperationResult<T> Conflict<T>(string error) => new(OperationStatus.Conflict, default, error);

    public static OperationResult<T> Invalid<T>(string error) => new(OperationStatus.Invalid, default, error);

    public static OperationResult<T> Unavailable<T>(string error) => new(OperationStatus.Unavailable, default, error);

    /// <summary>The same failure for another value type.</summary>
    public static OperationResult<TOther> Failure<T, TOther>(OperationResult<T> failed) => new(failed.Status, default, failed.Error);
}
