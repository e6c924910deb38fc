using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Data.Common;

namespace Appliance.Storage.Stores;

/// <summary>Column encodings shared by every store: times as unix milliseconds, lists as JSON string arrays.</summary>
internal static class SqlValues
{
    public static long ToDb(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static object ToDb(DateTimeOffset? time) => time is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value;

    public static DateTimeOffset Time(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset? OptionalTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    /// <summary>A 0/1 flag column (INTEGER on SQLite, BIGINT/INTEGER on PostgreSQL).</summary>
    public static bool Flag(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal) != 0;

    public static string? OptionalString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? OptionalInt64(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static string ToJson(IEnumerable<string> values) =>
        JsonSerializer.Serialize(values.ToArray(), StorageJsonContext.Default.StringArray);

    public static ImmutableArray<string> StringList(DbDataReader reader, int ordinal)
    {
        var text = reader.GetString(ordinal);
        var values = JsonSerializer.Deserialize(text, StorageJsonContext.Default.StringArray);
        return values is null ? [] : [.. values];
    }

    public static object OrNull(object? value) => value ?? DBNull.Value;
}

[JsonSerializable(typeof(string[]))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
