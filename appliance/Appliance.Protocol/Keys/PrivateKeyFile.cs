namespace Appliance.Protocol.Keys;

/// <summary>
/// A server private key on disk (the Noise static key, the DERP server key): one line <c>privkey:&lt;64 hex&gt;</c>
/// (Tailscale's text form) in a 0600 file, created, loaded and refused as <see cref="SecretFile"/> describes.
/// </summary>
public static class PrivateKeyFile
{
    /// <summary>Loads the key at <paramref name="path"/>, creating it if the file does not exist.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="role">What the key is, for error messages (such as "Noise server key").</param>
    /// <param name="ifCorrupt">The operator's way out of a corrupt file (restore from backup, or what deleting it costs).</param>
    public static TKey LoadOrCreate<TKey>(string path, string role, string ifCorrupt)
        where TKey : class, IPrivateKey<TKey> => SecretFile.LoadOrCreate(path, Kind<TKey>(role, ifCorrupt));

    /// <summary>
    /// Writes <paramref name="key"/> to <paramref name="path"/> when no file is there (0600, never overwriting), else
    /// loads what is there: the caller compares. For a key that came from elsewhere (a cluster's shared Noise key).
    /// </summary>
    public static TKey LoadOrWrite<TKey>(string path, TKey key, string role, string ifCorrupt)
        where TKey : class, IPrivateKey<TKey> => SecretFile.LoadOrCreate(path, Kind<TKey>(role, ifCorrupt) with { Generate = () => key });

    /// <summary>Loads an existing key file, refusing one that is exposed, unreadable or corrupt.</summary>
    public static TKey Load<TKey>(string path, string role, string ifCorrupt)
        where TKey : class, IPrivateKey<TKey> => SecretFile.Load(path, Kind<TKey>(role, ifCorrupt));

    private static SecretFile.Kind<TKey> Kind<TKey>(string role, string ifCorrupt)
        where TKey : class, IPrivateKey<TKey> => new(
            role,
            "one line 'privkey:' followed by 64 hex digits",
            "treat the key as exposed.",
            ifCorrupt,
            X25519PrivateKey.Generate<TKey>,
            key => key.ToSecretText(),
            (string text, out TKey? key) =>
            {
                var ok = X25519PrivateKey.TryParse<TKey>(text, out var parsed);
                key = ok ? parsed : null;
                return ok;
            });
}

/// <summary>A key file is unusable (exposed, unreadable or corrupt); the appliance must not start, and must not replace it.</summary>
public sealed class PrivateKeyFileException : Exception
{
    public PrivateKeyFileException()
    {
    }

    public PrivateKeyFileException(string message)
        : base(message)
    {
    }

    public PrivateKeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
