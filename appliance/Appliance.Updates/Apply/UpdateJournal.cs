using System.Text.Json;
using Appliance.Updates.Json;
using Appliance.Updates.Platform;

namespace Appliance.Updates.Apply;

/// <summary>Reads and atomically writes state.json and history.json.</summary>
public sealed class UpdateJournal
{
    /// <summary>History keeps the last 500 entries; older ones are dropped to keep the file small.</summary>
    public const int MaxHistory = 500;

    private readonly UpdatePaths _paths;

    public UpdateJournal(UpdatePaths paths) => _paths = paths;

    public UpdateStateDocument LoadState()
    {
        if (!File.Exists(_paths.State))
        {
            return new UpdateStateDocument(1, null, null, null, null, null);
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(_paths.State), UpdatesJsonContext.Default.UpdateStateDocument)
                ?? throw new InvalidDataException($"{_paths.State} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{_paths.State} is damaged: {e.Message}", e);
        }
    }

    public void SaveState(UpdateStateDocument state) =>
        AtomicFile.Write(_paths.State, JsonSerializer.SerializeToUtf8Bytes(state, UpdatesJsonContext.Default.UpdateStateDocument));

    public IReadOnlyList<HistoryEntry> LoadHistory()
    {
        if (!File.Exists(_paths.History))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(_paths.History), UpdatesJsonContext.Default.ListHistoryEntry) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{_paths.History} is damaged: {e.Message}", e);
        }
    }

    public void Append(HistoryEntry entry)
    {
        var history = LoadHistory().Append(entry).TakeLast(MaxHistory).ToList();
        AtomicFile.Write(_paths.History, JsonSerializer.SerializeToUtf8Bytes(history, UpdatesJsonContext.Default.ListHistoryEntry));
    }
}
