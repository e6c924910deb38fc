using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Appliance.Storage.Database;

/// <summary>
/// The ordered migrations this binary knows. The embedded catalog is every `Migrations/NNNN_name.sql` compiled into
/// the assembly; numbers must run 1, 2, 3... with no gap or duplicate, checked when the catalog is built. A step whose
/// SQL must differ on PostgreSQL has a sibling `NNNN_name.postgres.sql` with the same number and name.
/// </summary>
public sealed partial class MigrationCatalog
{
    private const string ResourcePrefix = "Appliance.Storage.Migrations.";

    private static readonly Lazy<MigrationCatalog> EmbeddedCatalog = new(LoadEmbedded);

    public MigrationCatalog(IEnumerable<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        Migrations = [.. migrations.OrderBy(m => m.Version)];
        for (var i = 0; i < Migrations.Count; i++)
        {
            if (Migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"migrations must be numbered 1..N without gaps; found {Migrations[i].Version} at position {i + 1}");
            }
        }
    }

    /// <summary>The migrations shipped in this assembly.</summary>
    public static MigrationCatalog Embedded => EmbeddedCatalog.Value;

    public IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The schema version this binary produces (0 when there are no migrations).</summary>
    public int LatestVersion => Migrations.Count;

    public IEnumerable<Migration> After(int version) => Migrations.Where(m => m.Version > version);

    [GeneratedRegex(@"^(?<number>\d{4})_(?<name>[a-z0-9_]+)(?<dialect>\.postgres)?\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();

    private static MigrationCatalog LoadEmbedded()
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var migrations = new List<Migration>();
        var postgres = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var match = FileName().Match(resource[ResourcePrefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"embedded migration '{resource}' is not named NNNN_name.sql");
            }

            if (match.Groups["dialect"].Success)
            {
                postgres.Add($"{match.Groups["number"].Value}_{match.Groups["name"].Value}", ReadResource(assembly, resource));
                continue;
            }

            migrations.Add(new Migration(
                int.Parse(match.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                ReadResource(assembly, resource)));
        }

        for (var i = 0; i < migrations.Count; i++)
        {
            var key = $"{migrations[i].Version:D4}_{migrations[i].Name}";
            if (postgres.Remove(key, out var text))
            {
                migrations[i] = migrations[i] with { PostgresSql = text };
            }
        }

        if (postgres.Count > 0)
        {
            throw new InvalidOperationException($"PostgreSQL migration(s) {string.Join(", ", postgres.Keys)} have no step of the same number and name");
        }

        return new MigrationCatalog(migrations);
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded migration '{name}' is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
