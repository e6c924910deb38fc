using System.Runtime.Versioning;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;

namespace Appliance.Hosting.Tests.Configuration;

/// <summary>Issue 13: where the CLI and serve look for the installed appliance, and who may use its admin socket.</summary>
[SupportedOSPlatform("linux")]
public sealed class InstalledLayoutTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("layout-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_default_data_folder_is_the_installed_one_when_it_exists_and_data_otherwise()
    {
        Assert.Equal(_folder, InstalledLayout.DefaultDataDir(_folder));
        Assert.Equal("./data", InstalledLayout.DefaultDataDir(Path.Combine(_folder, "missing")));
    }

    [Fact]
    public void The_installed_data_folder_has_its_admin_socket_in_run_and_any_other_folder_keeps_it_inside()
    {
        var installed = new ApplianceOptions();
        installed.Server.DataDir = "/var/lib/appliance/";
        var development = new ApplianceOptions();
        development.Server.DataDir = _folder;

        Assert.Equal("/run/appliance/admin.sock", AppliancePaths.From(installed).AdminSocket);
        Assert.Equal(Path.Combine(_folder, "admin.sock"), AppliancePaths.From(development).AdminSocket);
    }

    [Fact]
    public void A_config_load_without_a_data_folder_setting_takes_the_machine_default_and_an_explicit_one_wins()
    {
        var none = new Dictionary<string, string>();
        Assert.Equal(_folder, ConfigLoader.Load(null, none, Path.Combine(_folder, "no.yaml"), _folder).Options.Server.DataDir);
        var explicitDir = new Dictionary<string, string> { ["APPLIANCE_DATA_DIR"] = "/srv/x" };
        Assert.Equal("/srv/x", ConfigLoader.Load(null, explicitDir, Path.Combine(_folder, "no.yaml"), _folder).Options.Server.DataDir);
    }

    [Fact]
    public void The_socket_is_0600_in_a_plain_folder_and_0660_in_a_setgid_one()
    {
        var plain = Path.Combine(_folder, "plain.sock");
        var shared = Directory.CreateDirectory(Path.Combine(_folder, "shared")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)0b010_111_101_000); // 2750, as tmpfiles.d makes /run/appliance
        var inShared = Path.Combine(shared, "admin.sock");
        File.WriteAllText(plain, "");
        File.WriteAllText(inShared, "");

        AdminSocket.Restrict(plain);
        AdminSocket.Restrict(inShared);

        Assert.Equal(AdminSocket.Mode, File.GetUnixFileMode(plain));
        Assert.Equal(AdminSocket.GroupMode, File.GetUnixFileMode(inShared));
    }
}
