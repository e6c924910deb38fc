using Appliance.Derp.Mesh;
using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Derp.Mesh;

/// <summary>
/// The DERP mesh key on disk (<c>derp.mesh_key_file</c>): one line of 64 hex characters, as derper's
/// <c>--mesh-psk-file</c>, mode 0600. Created on first start through a 0600 temporary file renamed without overwriting,
/// so the first instance makes it and the operator copies it to the others. A file that group or others may read, or
/// that does not parse, stops startup with the fix named, and is never replaced (a new key would split the mesh).
/// Created, loaded and refused as every server secret is (<see cref="SecretFile"/>).
/// </summary>
public static class DerpMeshKeyFile
{
    private static readonly SecretFile.Kind<DerpMeshKey> Kind = new(
        "DERP mesh key",
        "one line of 64 hex digits",
        "make a new key for every instance.",
        "Copy it again from another instance of the mesh.",
        DerpMeshKey.Generate,
        key => key.Hex,
        DerpMeshKey.TryParse);

    public static DerpMeshKey LoadOrCreate(string path) => SecretFile.LoadOrCreate(path, Kind);

    public static DerpMeshKey Load(string path) => SecretFile.Load(path, Kind);
}
