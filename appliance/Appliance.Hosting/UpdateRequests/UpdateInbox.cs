using System.Security.Cryptography;

namespace Appliance.Hosting.UpdateRequests;

/// <summary>
/// The folder through which the admin console hands a verified bundle to root (docs/console.md, "Importing an
/// update"). The service runs as an unprivileged user under NoNewPrivileges and cannot switch releases or restart
/// itself, so it only writes here: the bundle first (<c>bundle.aupd</c>), then, atomically, <c>request.json</c>
/// naming who asked. systemd's <c>appliance-update.path</c> (root) sees the request file and starts
/// <c>appliance-update.service</c>, which runs <c>appliance update import --from-inbox</c>: it takes the request
/// (renamed to <c>processing.json</c>), verifies and imports the bundle as any import does, writes
/// <c>result.json</c> and empties the inbox. One request at a time.
/// </summary>
public sealed class UpdateInbox
{
    /// <summary>The inbox under the data folder (the installed service may write there: it owns the folder).</summary>
    public const string FolderName = "updates-inbox";

    public const string RequestFile = "request.json";
    public const string ProcessingFile = "processing.json";
    public const string ResultFile = "result.json";
    public const string BundleFile = "bundle.aupd";

    /// <summary>The path unit `appliance install` writes: when it exists, root watches the installed inbox.</summary>
    public const string PathUnit = "/etc/systemd/system/appliance-update.path";

    private static readonly Lock Gate = new();

    public UpdateInbox(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
    }

    public static UpdateInbox ForDataDirectory(string dataDirectory) => new(Path.Combine(dataDirectory, FolderName));

    public string Folder { get; }

    public string RequestPath => Path.Combine(Folder, RequestFile);

    public string ProcessingPath => Path.Combine(Folder, ProcessingFile);

    public string ResultPath => Path.Combine(Folder, ResultFile);

    public string BundlePath => Path.Combine(Folder, BundleFile);

    /// <summary>A request waits or is being imported: a new one is refused until it is done.</summary>
    public bool Busy => File.Exists(RequestPath) || File.Exists(ProcessingPath);

    /// <summary>
    /// A new private file in the inbox for an upload (named so that nothing watches it). The caller verifies it and
    /// then hands it to <see cref="Submit"/>, or deletes it.
    /// </summary>
    public FileStream CreateUpload(out string path)
    {
        Directory.CreateDirectory(Folder);
        path = Path.Combine(Folder, ".upload-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + ".part");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    /// <summary>
    /// Makes a verified upload the waiting request: the bundle is moved into place first and the request file
    /// appears last, in one rename, so root never sees a request without its bundle.
    /// </summary>
    /// <exception cref="UpdateInboxBusyException">Another request waits or is being imported; nothing was changed.</exception>
    public void Submit(string uploadPath, UpdateRequest request)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadPath);
        ArgumentNullException.ThrowIfNull(request);
        lock (Gate)
        {
            if (Busy)
            {
                var state = Read();
                throw new UpdateInboxBusyException(state.Waiting ?? state.Importing);
            }

            File.Move(uploadPath, BundlePath, overwrite: true);
            WriteAtomically(RequestPath, request.ToJson());
        }
    }

    /// <summary>What the updates page shows: the waiting request, the one being imported, the last result, or why the folder could not be read.</summary>
    public UpdateInboxState Read()
    {
        try
        {
            return new UpdateInboxState(
                ReadFile(RequestPath, UpdateRequest.MaxFileBytes, UpdateRequest.Parse),
                ReadFile(ProcessingPath, UpdateRequest.MaxFileBytes, UpdateRequest.Parse),
                ReadFile(ResultPath, UpdateRequestResult.MaxFileBytes, UpdateRequestResult.Parse),
                null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new UpdateInboxState(null, null, null, e.Message);
        }
    }

    /// <summary>
    /// Root's side: takes the waiting request (renamed to processing.json) and moves its bundle into
    /// <paramref name="privateFolder"/>, a folder the service cannot write, so that what is verified and imported
    /// can no longer be swapped. A request left in processing.json by an importer that died is returned with
    /// <see cref="TakenRequest.Interrupted"/> set, for the caller to report and clear. Null when nothing waits.
    /// </summary>
    public TakenRequest? Take(string privateFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(privateFolder);
        if (!File.Exists(RequestPath))
        {
            if (!File.Exists(ProcessingPath))
            {
                return null;
            }

            return new TakenRequest(TryParse(ProcessingPath), null, "the previous import from the console was interrupted before it finished (see `appliance update status` and `history`)", Interrupted: true);
        }

        File.Move(RequestPath, ProcessingPath, overwrite: true);
        var request = TryParse(ProcessingPath);
        if (request is null)
        {
            return new TakenRequest(null, null, "the request file is not valid", Interrupted: false);
        }

        var bundle = new FileInfo(BundlePath);
        if (!bundle.Exists)
        {
            return new TakenRequest(request, null, "the request has no bundle file beside it", Interrupted: false);
        }

        Directory.CreateDirectory(privateFolder);
        var taken = Path.Combine(privateFolder, $".inbox-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.aupd");
        File.Move(BundlePath, taken);

        // Moved into a folder only root writes, a link or special file can no longer change under the importer.
        var moved = new FileInfo(taken);
        if (moved.LinkTarget is not null || (moved.Attributes & (FileAttributes.Directory | FileAttributes.Device | FileAttributes.ReparsePoint)) != 0)
        {
            File.Delete(taken);
            return new TakenRequest(request, null, "the bundle in the inbox is not a regular file", Interrupted: false);
        }

        return new TakenRequest(request, taken, null, Interrupted: false);
    }

    /// <summary>Root's side, last: the result for the page, and an empty inbox (bundle and processing.json deleted).</summary>
    public void Finish(UpdateRequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(Folder);
        WriteAtomically(ResultPath, result.ToJson());
        File.Delete(BundlePath);
        File.Delete(ProcessingPath);
    }

    private static UpdateRequest? TryParse(string path)
    {
        try
        {
            return ReadFile(path, UpdateRequest.MaxFileBytes, UpdateRequest.Parse);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return null;
        }
    }

    private static T? ReadFile<T>(string path, int maxBytes, ParseBytes<T> parse)
        where T : class
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        if (info.LinkTarget is not null || info.Length > maxBytes)
        {
            throw new InvalidDataException($"{path} is not a request or result file");
        }

        return parse(File.ReadAllBytes(path));
    }

    private delegate T ParseBytes<out T>(ReadOnlySpan<byte> bytes);

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
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

/// <summary>The inbox as the updates page shows it. <paramref name="Problem"/> says why it could not be read.</summary>
public sealed record UpdateInboxState(UpdateRequest? Waiting, UpdateRequest? Importing, UpdateRequestResult? Last, string? Problem);

/// <summary>What root took from the inbox: the request (null when its file was not valid), the bundle moved out of the service's reach, or why there is none.</summary>
public sealed record TakenRequest(UpdateRequest? Request, string? BundlePath, string? Problem, bool Interrupted);

/// <summary>Another request waits or is being imported.</summary>
public sealed class UpdateInboxBusyException : Exception
{
    public UpdateInboxBusyException()
    {
    }

    public UpdateInboxBusyException(string message)
        : base(message)
    {
    }

    public UpdateInboxBusyException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public UpdateInboxBusyException(UpdateRequest? pending)
        : base(pending is null ? "another update request waits or is being imported" : $"{pending.File} ({pending.Bundle}), asked for by {pending.Person}, waits or is being imported")
    {
        Pending = pending;
    }

    public UpdateRequest? Pending { get; }
}
