using Appliance.Protocol.Control;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Control.Memory;

/// <summary>
/// Gives <see cref="MapFramePool"/>'s arrays back once no full map has been built for a whole <see cref="Period"/>
/// (issue 16: they are sized by the largest map, 16 MiB at 1,000 nodes, and kept only to make the next burst of full
/// maps cheap). The arrays are on the large-object heap, which only a full collection frees; an idle server may not
/// run one for a long time, so after dropping them the trimmer asks for a background (non-blocking) full collection,
/// at most once per period and only when it dropped something (decision 0111).
/// </summary>
public sealed partial class MapFramePoolTrimmer(TimeProvider time, ILogger<MapFramePoolTrimmer> logger) : BackgroundService
{
    /// <summary>How long the pool must go unused before it is dropped.</summary>
    public static TimeSpan Period { get; } = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One period's check (tests call it directly).</summary>
    public bool Tick()
    {
        if (!MapFramePool.TrimIfIdle())
        {
            return false;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
        LogTrimmed(logger);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "No full map for a while: the map frame pool's arrays were given back")]
    private static partial void LogTrimmed(ILogger logger);
}
