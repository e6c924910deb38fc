using System.Diagnostics.CodeAnalysis;

namespace Appliance.Storage.Stores;

/// <summary>The expected outcomes of a store write; anything else is an exception.</summary>
internal enum WriteStatus
{
    Ok,

    /// <summary>No row with that id (or key).</summary>
    NotFound,

    /// <summary>A unique column (a name, a key, an address) already belongs to another row.</summary>
    Conflict,
}

/// <summary>A write's outcome and the row as stored after it (null unless Ok).</summary>
internal readonly record struct WriteResult<T>(WriteStatus Status, T? Row)
    where T : class
{
    [MemberNotNullWhen(true, nameof(Row))]
    public bool IsOk => Status == WriteStatus.Ok;
}

/// <summary>Factories for <see cref="WriteResult{T}"/>.</summary>
internal static class WriteResult
{
    public static WriteResult<T> Ok<T>(T row)
        where T : class => new(WriteStatus.Ok, row);

    public static WriteResult<T> NotFound<T>()
        where T : class => new(WriteStatus.NotFound, null);

    public static WriteResult<T> Conflict<T>()
        where T : class => new(WriteStatus.Conflict, null);
}
