using Appliance.Control.Metrics;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Control.Handlers;

/// <summary>
/// <c>POST /machine/map</c> (docs/wire/control.md "/machine/map"). Lite updates (OmitPeers, no Stream) are applied and answered with an
/// empty 200; a one-shot request gets one full framed map; a stream gets a full map at once, then deltas and
/// keep-alives from its <see cref="MapSession"/> until the client cancels or the node is deleted. Every message is
/// flushed as it is written (the client's 120 s watchdog also covers the wait for the first one), a full map in
/// flushed slices (<see cref="MapResponseWriter"/>).
/// </summary>
internal static class MapHandler
{
    /// <summary>The 503's reason when the database refused the map request's write (the client logs it).</summary>
    internal const string StorageRefused = "the control server's database refused the write (full or read-only); nothing was changed, try again later";

    public static async Task HandleAsync(HttpContext context, ControlCoordinator coordinator, ControlMetrics? metrics)
    {
        if (await ControlRequest.ReadAsync(context, static body => ControlJson.ParseMapRequest(body), static r => r.Version).ConfigureAwait(false) is not { } read)
        {
            return;
        }

        var (noise, request) = read;

        if (!MapRequestValidator.TryValidate(request, out var invalid))
        {
            metrics?.Refused("invalid_map_request");
            await ControlRequest.TextAsync(context, StatusCodes.Status400BadRequest, invalid).ConfigureAwait(false);
            return;
        }

        // A stream's request and its connect reach the peers as one delta (one fan-out), not one each.
        var outcome = coordinator.ApplyMapRequest(noise.ClientMachineKey, request, streamFollows: request.Stream);
        switch (outcome.Status)
        {
            case MapRequestStatus.NodeNotFound:
                await ControlRequest.TextAsync(context, StatusCodes.Status404NotFound, "node not found; register first").ConfigureAwait(false);
                return;
            case MapRequestStatus.MachineKeyMismatch:
                await ControlRequest.TextAsync(context, StatusCodes.Status401Unauthorized, "node key belongs to another machine").ConfigureAwait(false);
                return;
            case MapRequestStatus.StorageConflict:
                await ControlRequest.TextAsync(context, StatusCodes.Status409Conflict, "the update could not be stored").ConfigureAwait(false);
                return;
            case MapRequestStatus.StorageUnavailable:
                metrics?.Refused("storage_unavailable");
                await ControlRequest.StorageUnavailableAsync(context, StorageRefused).ConfigureAwait(false);
                return;
        }

        if (!outcome.IsOk)
        {
            await ControlRequest.TextAsync(context, StatusCodes.Status500InternalServerError, "the map request was not applied").ConfigureAwait(false);
            return;
        }

        var node = outcome.Node;
        if (request.IsLiteUpdate)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentLength = 0;
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (!request.Stream)
        {
            // Self and peers from one snapshot: two reads could straddle a publish and mix versions.
            var snapshot = coordinator.Snapshot;
            using var framed = coordinator.Maps.FullFramed(snapshot, snapshot.Find(node.Id) ?? node, request.WantsZstd);
            await MapResponseWriter.WriteAsync(context.Response.BodyWriter, framed.Memory, context.RequestAborted).ConfigureAwait(false);
            metrics?.MapMessage(framed.Length);
            return;
        }

        using var stream = coordinator.Connect(node.Id, request.WantsZstd);
        try
        {
            // Each slice is one write that also flushes (PipeWriter.WriteAsync), not Body.WriteAsync then
            // Body.FlushAsync: each of those schedules the HTTP/2 stream on the connection's frame writer, and a change
            // is one message on every stream, so the second hand-over per stream doubled that work in a fan-out
            // (issue 16, fan; MapResponseWriter).
            var body = context.Response.BodyWriter;
            await foreach (var message in stream.Session.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
            {
                if (!await MapResponseWriter.WriteAsync(body, message, context.RequestAborted).ConfigureAwait(false))
                {
                    break; // the client reset the stream: nothing more will be read
                }

                if (metrics is not null)
                {
                    metrics.MapMessage(message.Length);
                    if (stream.Session.LastYieldedChangedAt is var changedAt and not 0)
                    {
                        metrics.Propagated(changedAt, coordinator.Time);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client ended the long poll (RST_STREAM CANCEL): normal.
        }
    }
}
