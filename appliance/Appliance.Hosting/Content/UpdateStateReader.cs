using System.Diagnostics.Metrics;
using Appliance.Updates.Apply;

namespace Appliance.Hosting.Content;

/// <summary>
/// Reads the updates root's state.json (`&lt;data_dir&gt;/updates`, beside the content folder) for the metrics: the
/// running release and content versions, and whether an apply is journaled but unfinished.
/// </summary>
public sealed class UpdateStateReader(string dataDir)
{
    private readonly UpdateJournal _journal = new(new UpdatePaths(Path.Combine(dataDir, "updates")));

    /// <summary>One measurement: 1 while an apply is pending (0 otherwise), labelled with the current release and content; none when state.json is unreadable.</summary>
    public Measurement<int>[] Pending()
    {
        UpdateStateDocument state;
        try
        {
            state = _journal.LoadState();
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return [];
        }

        return
        [
            new Measurement<int>(
                state.Pending is null ? 0 : 1,
                new KeyValuePair<string, object?>("current", state.Current ?? ""),
                new KeyValuePair<string, object?>("content", state.Content ?? "")),
        ];
    }
}
