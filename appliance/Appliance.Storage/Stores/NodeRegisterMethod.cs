namespace Appliance.Storage.Stores;

/// <summary>How a node was registered. Stored as text (see <see cref="NodeRegisterMethods"/>): never rename a value.</summary>
internal enum NodeRegisterMethod
{
    AuthKey,
    Interactive,
    Cli,
}

/// <summary>The frozen text of each <see cref="NodeRegisterMethod"/> in the `nodes.register_method` column.</summary>
internal static class NodeRegisterMethods
{
    public static string ToText(NodeRegisterMethod method) => method switch
    {
        NodeRegisterMethod.AuthKey => "authkey",
        NodeRegisterMethod.Interactive => "interactive",
        NodeRegisterMethod.Cli => "cli",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown register method"),
    };

    public static NodeRegisterMethod Parse(string text) => text switch
    {
        "authkey" => NodeRegisterMethod.AuthKey,
        "interactive" => NodeRegisterMethod.Interactive,
        "cli" => NodeRegisterMethod.Cli,
        _ => throw new FormatException($"unknown register_method '{text}' in the database"),
    };
}
