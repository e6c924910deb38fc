using System.CommandLine;
using Appliance.Updates.Signing;

namespace Appliance.BundleTool.Cli;

/// <summary>Opening key files for the commands; every failure is an operator message.</summary>
internal static class KeyFiles
{
    public static SigningKey OpenPrivate(ParseResult parse, FileInfo keyFile, Option<FileInfo?> passphraseOption)
    {
        if (!keyFile.Exists)
        {
            throw new ToolException($"{keyFile.FullName} does not exist");
        }

        var bytes = File.ReadAllBytes(keyFile.FullName);
        var passphrase = Passphrase.Read(parse, passphraseOption, confirm: false);
        return EncryptedKeyFile.TryOpen(bytes, passphrase, out var key) switch
        {
            KeyFileOutcome.Opened => key!,
            KeyFileOutcome.WrongPassphrase => throw new ToolException($"{keyFile.Name}: wrong passphrase (or the key file was altered)"),
            _ => throw new ToolException($"{keyFile.Name} is not an appliance-bundle private key file"),
        };
    }

    public static PublicSigningKey OpenPublic(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new ToolException($"{file.FullName} does not exist");
        }

        return EncryptedKeyFile.TryReadPublicFile(File.ReadAllBytes(file.FullName))
            ?? throw new ToolException($"{file.Name} is not an appliance-bundle public key file (NAME.pub)");
    }

    /// <summary>Writes a file that must not exist yet, readable by the owner only when <paramref name="secret"/>.</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> bytes, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new ToolException($"{path} already exists; refusing to overwrite it");
        }
    }

    /// <summary>Replaces <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void Replace(string path, Action<Stream> write)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
