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
    public void Only_State_and_the_known_composition_points_reference_Storage()
    {
        // State is the only writer of tailnet data (issue 12): everything else reaches the database through State's
        // command API. The composition points below still open the data folder or the database themselves (the
        // data-folder lock, migrations at start, the policy_versions table, DI registration of stores); each is listed
        // so the list can only shrink: a new assembly referencing Storage fails here, and so does one that no longer
        // needs its exception (remove it from the list).
        string[] allowed = ["Appliance.State"];
        string[] pending = ["appliance", "Appliance.Control", "Appliance.Hosting"];
        var referencers = ProductAssemblies.ReferencersOf("Appliance.Storage");
        Assert.Equal([.. allowed.Concat(pending).Order(StringComparer.Ordinal)], referencers);
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
