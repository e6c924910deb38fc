using System.Text.Json;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;

namespace Appliance.ServerTests.Derp;

public class DerpHostingPiecesTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_server_key_is_created_once_owner_only_and_reused()
    {
        var dir = Directory.CreateTempSubdirectory("derp-key-");
        try
        {
            var path = Path.Combine(dir.FullName, DerpServerKeyFile.FileName);
            var first = DerpServerKeyFile.LoadOrCreate(path);
            var second = DerpServerKeyFile.LoadOrCreate(path);

            Assert.Equal(first, second);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.StartsWith("privkey:", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_corrupt_server_key_file_stops_startup_with_a_clear_error_and_is_left_alone()
    {
        var dir = Directory.CreateTempSubdirectory("derp-key-");
        try
        {
            var path = Path.Combine(dir.FullName, DerpServerKeyFile.FileName);
            File.WriteAllText(path, "privkey:not-hex");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

            var error = Assert.Throws<PrivateKeyFileException>(() => DerpServerKeyFile.LoadOrCreate(path));

            Assert.Contains($"the DERP server key {path} is corrupt", error.Message, StringComparison.Ordinal);
            Assert.Equal("privkey:not-hex", File.ReadAllText(path));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_embedded_region_is_built_from_the_options_and_serialises_as_tailcfg()
    {
        var options = new ApplianceOptions();
        options.Server.ServerUrl = "https://headscale.site.lan";
        options.Server.HttpsListen = "0.0.0.0:443";
        options.Derp.Ipv4 = "192.0.2.10";
        options.Derp.StunListen = "0.0.0.0:3478";

        var map = new EmbeddedDerpMapProvider(options).Current;

        var region = Assert.Single(map.Regions!).Value;
        Assert.Equal(900, region.RegionID);
        var node = Assert.Single(region.Nodes);
        Assert.Equal("900a", node.Name);
        Assert.Equal(900, node.RegionID);
        Assert.Equal("headscale.site.lan", node.HostName);
        Assert.Equal("192.0.2.10", node.IPv4);
        Assert.Null(node.IPv6);
        Assert.Equal(443, node.DERPPort);
        Assert.Equal(3478, node.STUNPort);
        var json = JsonSerializer.Serialize(map, ControlJsonContext.Default.DERPMap);
        Assert.Contains("\"Regions\":{\"900\":{\"RegionID\":900", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_regions_come_only_from_the_local_file_and_may_not_reuse_the_embedded_id()
    {
        var dir = Directory.CreateTempSubdirectory("derp-map-");
        try
        {
            var file = Path.Combine(dir.FullName, "extra.json");
            File.WriteAllText(file, """{"Regions":{"901":{"RegionID":901,"RegionCode":"b","RegionName":"B","Nodes":[{"Name":"901a","RegionID":901,"HostName":"b.lan"}]}}}""");
            var options = new ApplianceOptions();
            options.Derp.ExtraMapFile = file;

            var map = new EmbeddedDerpMapProvider(options).Current;
            Assert.Equal([900, 901], map.Regions!.Keys.Order());

            options.Derp.RegionId = 901;
            Assert.Throws<InvalidDataException>(() => new EmbeddedDerpMapProvider(options));

            File.WriteAllText(file, "{ not json");
            options.Derp.RegionId = 900;
            Assert.Throws<InvalidDataException>(() => new EmbeddedDerpMapProvider(options));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void With_DERP_disabled_and_no_file_the_map_is_empty()
    {
        var options = new ApplianceOptions();
        options.Derp.Enabled = false;

        Assert.Empty(new EmbeddedDerpMapProvider(options).Current.Regions!);
    }
}
