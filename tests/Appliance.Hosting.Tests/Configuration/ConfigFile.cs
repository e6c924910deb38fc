using Appliance.Hosting.Configuration;

namespace Appliance.Hosting.Tests.Configuration;

/// <summary>Loads YAML text through the real loader from a temporary file, with a chosen environment.</summary>
internal static class ConfigFile
{
    public static ConfigLoadResult Load(string yaml, Dictionary<string, string>? environment = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"appliance-config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            return ConfigLoader.Load(path, environment ?? [], defaultPath: "/nonexistent/appliance.yaml");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
