namespace Appliance.Updates.Apply;

/// <summary>
/// A file in the updates root that the updater will not use because someone other than its own user could have
/// chosen or written it: a symbolic link, something other than a regular file, another owner, group/other write,
/// or a second hard link. Nothing was read through it and nothing was changed.
/// </summary>
public sealed class UnsafeUpdatePathException(string path, string message) : IOException(message)
{
    /// <summary>The file refused.</summary>
    public string Path { get; } = path;
}
