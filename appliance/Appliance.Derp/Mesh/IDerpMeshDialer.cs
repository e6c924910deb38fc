using System.IO.Pipelines;

namespace Appliance.Derp.Mesh;

/// <summary>An open DERP byte stream to a mesh peer (after the HTTP upgrade) and what to dispose when it ends.</summary>
public sealed record DerpMeshTransport(IDuplexPipe Pipe, IAsyncDisposable Owner);

/// <summary>
/// Opens the byte stream to a mesh peer. Production: <see cref="HttpDerpMeshDialer"/> (TCP, TLS for https, <c>GET /derp</c>
/// with <c>Upgrade: DERP</c>, as derphttp_client.go does). Tests: an in-memory pipe to another in-process server.
/// </summary>
public interface IDerpMeshDialer
{
    Task<DerpMeshTransport> DialAsync(Uri peer, CancellationToken cancellationToken);
}
