using Appliance.Hosting.Configuration;
using Appliance.Hosting.Content;
using Appliance.Hosting.Derp;

namespace Appliance.Hosting.Tests.Content;

public class DerpMapContentTests
{
    [Fact]
    public void Content_regions_are_merged_on_reload_and_a_broken_file_keeps_the_previous_map()
    {
        using var folder = new ContentFolder();
        var provider = new EmbeddedDerpMapProvider(new ApplianceOptions(), certName: null, folder.Files.DerpMap);
        Assert.Equal([900], provider.Current.Regions!.Keys);

        File.WriteAllText(folder.Files.DerpMap, ContentFolder.GoodMap);
        Assert.True(provider.TryReload(out var none), none);
        var good = provider.Current;
        Assert.Equal([900, 901], good.Regions!.Keys.Order());

        File.WriteAllText(folder.Files.DerpMap, "{\n  \"Regions\": {\n    \"902\": { \"RegionID\": \"oops\" }\n  }\n}\n");
        Assert.False(provider.TryReload(out var error));
        Assert.Same(good, provider.Current);
        Assert.Contains(folder.Files.DerpMap + "':3:", error, StringComparison.Ordinal);

        File.WriteAllText(folder.Files.DerpMap, ContentFolder.GoodMap.Replace("901", "900", StringComparison.Ordinal));
        Assert.False(provider.TryReload(out error));
        Assert.Contains("embedded region", error, StringComparison.Ordinal);
        Assert.Same(good, provider.Current);

        // A region that fails the same validation as derp.extra_map_file (its key is not its RegionID).
        File.WriteAllText(folder.Files.DerpMap, """{"Regions":{"903":{"RegionID":904,"RegionCode":"c","Nodes":[{"Name":"904a","RegionID":904,"HostName":"c.lan"}]}}}""");
        Assert.False(provider.TryReload(out error));
        Assert.Contains("invalid DERP map", error, StringComparison.Ordinal);
        Assert.Same(good, provider.Current);
    }

    [Fact]
    public void Extra_map_file_errors_name_the_file_and_line()
    {
        using var folder = new ContentFolder();
        var file = Path.Combine(folder.DataDir, "extra.json");
        File.WriteAllText(file, "{\n  \"Regions\": {\n    \"901\": {,\n");
        var options = new ApplianceOptions();
        options.Derp.ExtraMapFile = file;

        var error = Assert.Throws<InvalidDataException>(() => new EmbeddedDerpMapProvider(options));

        Assert.StartsWith($"derp.extra_map_file '{file}':3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_region_id_in_both_the_extra_file_and_the_content_is_refused()
    {
        using var folder = new ContentFolder();
        var file = Path.Combine(folder.DataDir, "extra.json");
        File.WriteAllText(file, ContentFolder.GoodMap);
        File.WriteAllText(folder.Files.DerpMap, ContentFolder.GoodMap);
        var options = new ApplianceOptions();
        options.Derp.ExtraMapFile = file;
        var provider = new EmbeddedDerpMapProvider(options, certName: null, folder.Files.DerpMap);

        Assert.False(provider.TryReload(out var error));
        Assert.Contains("already defined by derp.extra_map_file", error, StringComparison.Ordinal);
        Assert.Equal([900, 901], provider.Current.Regions!.Keys.Order());
    }

    [Fact]
    public void The_validator_reports_every_broken_content_file_of_a_staged_folder()
    {
        using var folder = new ContentFolder();
        var staged = UpdateContentFiles.InFolder(Path.Combine(folder.DataDir, "staged"));
        Directory.CreateDirectory(staged.Folder);
        File.WriteAllText(staged.DerpMap, "[]");
        File.WriteAllText(staged.Identity, """{"users":[{"name":"alice","mail":"a@b"}]}""");
        File.WriteAllText(staged.CaTrust, ContentFolder.CertificatePem(ca: false, DateTimeOffset.UtcNow.AddYears(1)));

        var errors = UpdateContentValidator.Check(staged, new ApplianceOptions(), DateTimeOffset.UtcNow);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("derp-map.json", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown field \"mail\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("not a CA certificate", StringComparison.Ordinal));

        File.WriteAllText(staged.DerpMap, ContentFolder.GoodMap);
        File.WriteAllText(staged.Identity, """{"users":[{"name":"alice","email":"a@b"}]}""");
        File.WriteAllText(staged.CaTrust, ContentFolder.CertificatePem(ca: true, DateTimeOffset.UtcNow.AddYears(1)));
        Assert.Empty(UpdateContentValidator.Check(staged, new ApplianceOptions(), DateTimeOffset.UtcNow));
    }
}
