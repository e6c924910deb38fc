using System.Text;

namespace Appliance.Hosting.Identity;

/// <summary>
/// Writes the identity file the way `appliance users passwd|totp enroll|disable|enable` and content bundles do:
/// the new text is parsed with <see cref="IdentityFileParser"/> before anything is written (a document that would
/// not load is never written), then written to a temporary file in the same folder, flushed to disk (fsync),
/// the previous file copied to <c>identity.hujson.bak</c>, and the temporary file renamed over the old one, so a
/// reader (the running service's watcher) sees either the old file or the new one, never half of one.
/// Edits change only the values that change: comments, trailing commas and layout stay (<see cref="IdentityTextEdit"/>).
/// </summary>
public static class IdentityFileWriter
{
    public const string BackupSuffix = ".bak";

    private const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Reads and validates the current file, changes <paramref name="login"/> with <paramref name="change"/> by
    /// editing only the changed values in the text (<see cref="IdentityTextEdit"/>: comments and layout stay), and
    /// writes the result atomically.
    /// </summary>
    /// <exception cref="IdentityFileException">The current file (or the changed document) does not validate; nothing was written.</exception>
    /// <exception cref="KeyNotFoundException">No such person in the file; nothing was written.</exception>
    /// <exception cref="FileNotFoundException">There is no identity file at <paramref name="path"/>.</exception>
    public static IdentityDocument Edit(string path, string login, Func<Person, Person> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var text = File.ReadAllText(path);
        var person = IdentityFileParser.Parse(text).Find(login)
            ?? throw new KeyNotFoundException($"no person '{login}' in {Path.GetFullPath(path)}: add them to the file first (see docs/identity.md)");
        return Replace(path, IdentityTextEdit.Apply(text, login, change(person)));
    }

    /// <summary>Validates <paramref name="text"/> and, only if it loads, makes it the identity file (backup of the previous one kept).</summary>
    /// <exception cref="IdentityFileException">The text does not validate; the file on disk is untouched.</exception>
    public static IdentityDocument Replace(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        var document = IdentityFileParser.Parse(text);
        WriteAtomically(Path.GetFullPath(path), text);
        return document;
    }

    private static void WriteAtomically(string path, string text)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // The file holds password hashes and TOTP secrets: keep the previous file's mode, owner-only for a new one.
            options.UnixCreateMode = File.Exists(path) ? File.GetUnixFileMode(path) : NewFileMode;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(path))
            {
                // The backup is written the same way (copy to a temporary name, then rename) so it is never half a file.
                var backupTemp = temp + BackupSuffix;
                File.Copy(path, backupTemp);
                using (var copy = new FileStream(backupTemp, FileMode.Open, FileAccess.ReadWrite))
                {
                    copy.Flush(flushToDisk: true);
                }

                File.Move(backupTemp, path + BackupSuffix, overwrite: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
            File.Delete(temp + BackupSuffix);
        }
    }
}
