namespace Appliance.ArchitectureTests;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the built assemblies (issue 12). Each rule says why it
/// exists; a failure names the assembly and the reference that broke it.
/// </summary>
public sealed class LayeringTests
{
    private static readonly string[] AspNet = ["Microsoft.AspNetCore"];
    private static readonly string[] Storage = ["Appliance.Storage", "Microsoft.Data.Sqlite", "SQLitePCLRaw", "Npgsql"];
    private static readonly string[] LoggingFrameworks = ["Serilog", "Microsoft.Extensions.Logging"];

    [Theory]
    [InlineData("Appliance.Protocol")]
    public void Protocol_references_no_aspnet_no_storage_and_no_logging(string assembly)
    {
        // Protocol is the leaf every side (control, DERP, the bundle tool, conformance tools) shares: wire types and
        // keys must not drag a web server, a database or a logging pipeline into each of them.
        AssertNone(assembly, [.. AspNet, .. Storage, .. LoggingFrameworks]);
    }

    [Theory]
    [InlineData("Appliance.Policy")]
    [InlineData("Appliance.Pki")]
    [InlineData("Appliance.Updates")]
    public void Policy_pki_and_updates_reference_no_aspnet_and_no_storage(string assembly)
    {
        // These are pure libraries: the bundle tool, first boot and the CLI with the service stopped use them without
        // a host, and policy compilation runs on the coordinator's writer, where no HTTP type belongs.
        AssertNone(assembly, [.. AspNet, .. Storage]);
    }

    [Fact]
    public void State_references_no_aspnet_and_no_logging_framework()
    {
        // State is the tailnet's single writer; it logs through Microsoft.Extensions.Logging.Abstractions only
        // (StateEvents), so the host chooses the pipeline and tests can capture events without one.
        AssertNone("Appliance.State", [.. AspNet, "Serilog", "Microsoft.Extensions.Logging.Console"]);
        var logging = ProductAssemblies.References("Appliance.State").Where(r => r.StartsWith("Microsoft.Extensions.Logging", StringComparison.Ordinal));
        Assert.All(logging, r => Assert.Equal("Microsoft.Extensions.Logging.Abstractions", r));
    }

    [Fact]
    public void Only_State_and_the_composition_points_reference_Storage()
    {
        // State is the only writer of tailnet data (issue 12): everything else reaches nodes, users, keys and the
        // policy history through State's API. Two assemblies besides State reference Storage, for what is not
        // tailnet state; the next test pins down exactly which of Storage's types each may name:
        // - appliance (the exe): the CLI opens the data folder (the flock) and the database itself when the service
        //   is stopped, runs `backup`/`restore`, and reads the audit files for `audit verify|export`;
        // - Appliance.Hosting: `serve` opens the data folder and database before the host starts (exit codes 73/75/65),
        //   registers them in DI, builds State's repositories over the database for the coordinator
        //   (Hosting/Control/TailnetRepositoryRegistration), backs up, and writes the audit log (hash-chain files,
        //   anchors) and the console's login sessions.
        // A new assembly referencing Storage fails here.
        string[] expected = ["Appliance.State", "Appliance.Hosting", "appliance"];
        Assert.Equal([.. expected.Order(StringComparer.Ordinal)], ProductAssemblies.ReferencersOf("Appliance.Storage"));
    }

    [Fact]
    public void Control_does_not_reference_Storage()
    {
        // Control is the ts2021 transport and the handlers inside a Noise session: it reaches the tailnet only
        // through the coordinator State gives it. Where the tailnet is kept (State's repositories over the database)
        // is the composition root's choice (Hosting's AddTailnetRepositories; State's in-memory repository in a test
        // or a benchmark), so a control handler cannot open a table or skip the coordinator's writer.
        Assert.DoesNotContain("Appliance.Storage", ProductAssemblies.References("Appliance.Control"));
    }

    [Theory]
    [InlineData("appliance")]
    [InlineData("Appliance.Hosting")]
    public void Outside_State_Storage_means_only_the_data_folder_the_database_handle_and_the_audit_files(string assembly)
    {
        // Tables of tailnet data (nodes, users, pre-auth and API keys, policy versions) are Storage's internal *Store
        // classes, reached only through State, which returns its own types (TailnetNode, TailnetUser, PreAuthKey,
        // ApiKey, PolicyVersion). What the composition points may still name is not tailnet state: the data folder
        // and its lock (Storage.Files), opening, migrating, backing up and restoring the database (Storage.Database),
        // the audit log's files and anchors (Storage.Audit), and the admin console's login sessions
        // (Storage.Sessions: who is logged in to /admin, shared by every appliance on the database; no tailnet data and
        // no State invariant). A direct use of a store, a row or a Stores helper from either fails here, naming the
        // type; there are no exceptions left.
        string[] allowedNamespaces = ["Appliance.Storage.Database.", "Appliance.Storage.Files.", "Appliance.Storage.Audit.", "Appliance.Storage.Sessions."];
        var broken = ProductAssemblies.TypesUsedFrom(assembly, "Appliance.Storage")
            .Where(t => !allowedNamespaces.Any(n => t.StartsWith(n, StringComparison.Ordinal)))
            .ToList();
        Assert.True(broken.Count == 0, $"{assembly} uses Storage's {string.Join(", ", broken)}: go through State's API instead");
    }

    [Fact]
    public void States_public_api_carries_no_Storage_row_or_result()
    {
        // The snapshot, command results, repository seams and IdentityService's answers are State's own types, so a
        // caller of State never needs Storage to read them. What State's public members may still name from
        // Storage is the database handle its repositories are built over (Storage.Database: ApplianceDatabase). The
        // compiler already refuses a public member of an internal Storage type; this fails when Storage makes a row
        // public again and State hands it out.
        string[] allowedNamespaces = ["Appliance.Storage.Database"];
        var broken = ProductAssemblies.PublicSignatureTypes("Appliance.State")
            .Where(t => t.Assembly.GetName().Name == "Appliance.Storage" && !allowedNamespaces.Contains(t.Namespace))
            .Select(t => t.FullName)
            .Distinct()
            .ToList();
        Assert.True(broken.Count == 0, $"State's public API names Storage's {string.Join(", ", broken)}: give State its own type");
    }

    [Fact]
    public void Storage_exports_no_store_of_tailnet_data()
    {
        // The *Store classes, their rows, the values they return (write results, key checks, the node column mask)
        // and the SQL helpers are internal (InternalsVisibleTo State and the test projects that seed or inspect
        // tables), so a new direct use from Hosting, Control or the exe does not even compile; State translates
        // each to its own type in Coordinator/StoredRows.cs. The audit anchors' store stays public in Storage.Audit:
        // it is the audit chain's bookkeeping, not tailnet data, and Hosting's audit trail and `audit verify` use
        // it. The console sessions' store stays public in Storage.Sessions for the same reason: it holds who is
        // logged in to /admin, not tailnet data.
        var exported = ProductAssemblies.PublicTypes("Appliance.Storage");
        Assert.DoesNotContain(exported, t => t.StartsWith("Appliance.Storage.Stores.", StringComparison.Ordinal));
        Assert.Equal(["Appliance.Storage.Audit.AuditAnchorStore", "Appliance.Storage.Sessions.ConsoleSessionStore"], exported.Where(t => t.EndsWith("Store", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Microsoft.Data.Sqlite")]
    [InlineData("Npgsql")]
    public void Only_Storage_references_a_database_driver(string driver)
    {
        // SQL lives in Storage's *Store classes, written once for SQLite and PostgreSQL; a second place that speaks
        // to either database would be a second writer.
        Assert.Equal(["Appliance.Storage"], ProductAssemblies.ReferencersOf(driver));
    }

    [Theory]
    [InlineData("Appliance.Control")]
    [InlineData("Appliance.Derp")]
    [InlineData("Appliance.State")]
    [InlineData("Appliance.Policy")]
    [InlineData("Appliance.Pki")]
    [InlineData("Appliance.Updates")]
    [InlineData("Appliance.Protocol")]
    [InlineData("Appliance.Storage")]
    public void Libraries_never_reference_the_host_or_the_exe(string assembly)
    {
        // Dependencies point inwards: Hosting composes the libraries, never the other way round, or a library test
        // would need the whole appliance.
        AssertNone(assembly, ["Appliance.Hosting", "appliance", "Serilog"]);
    }

    private static void AssertNone(string assembly, string[] forbidden)
    {
        var broken = ProductAssemblies.References(assembly)
            .Where(r => forbidden.Any(f => r == f || r.StartsWith(f + ".", StringComparison.Ordinal)))
            .ToList();
        Assert.True(broken.Count == 0, $"{assembly} references {string.Join(", ", broken)}");
    }
}
