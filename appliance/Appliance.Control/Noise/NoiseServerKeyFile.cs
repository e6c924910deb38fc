using Appliance.Protocol.Keys;

namespace Appliance.Control.Noise;

/// <summary>
/// The server's Noise static key on disk: <c>&lt;data&gt;/noise_private.key</c>, kept by <see cref="PrivateKeyFile"/>
/// (one line <c>privkey:&lt;64 hex&gt;</c>, mode 0600, created on first start). A corrupt or exposed file is a startup
/// error, never a silent regeneration: a new key would make every registered client distrust the server (the client
/// pins the key it fetched from /key for the connection).
/// </summary>
public static class NoiseServerKeyFile
{
    public const string FileName = "noise_private.key";

    private const string Role = "Noise server key";

    private const string IfCorrupt = "Restore it from backup; deleting it makes every client re-trust a new server key.";

    /// <summary>Loads the key at <paramref name="path"/>, creating it if the file does not exist.</summary>
    public static MachinePrivate LoadOrCreate(string path) => PrivateKeyFile.LoadOrCreate<MachinePrivate>(path, Role, IfCorrupt);

    /// <summary>Writes <paramref name="key"/> (the cluster's, docs/ops/ha.md) when no key file exists; else loads the file there.</summary>
    public static MachinePrivate LoadOrWrite(string path, MachinePrivate key) => PrivateKeyFile.LoadOrWrite(path, key, Role, IfCorrupt);
}
