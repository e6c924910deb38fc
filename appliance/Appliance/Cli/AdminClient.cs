using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Appliance.Hosting.Admin;
using Appliance.State.Identity;

namespace Appliance.Cli;

/// <summary>
/// <see cref="IAdminApi"/> over HTTP on the running service's Unix socket (`&lt;data&gt;/admin.sock`).
/// The host name in the URLs is a placeholder: every connection goes to the socket.
/// </summary>
public sealed class AdminClient : IAdminApi, IDisposable
{
    private readonly HttpClient _http;

    public AdminClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://appliance-admin" + AdminApiExtensions.RoutePrefix + "/") };
    }

    /// <summary>True when something accepts connections on the socket (a stale socket file alone is not enough).</summary>
    public static async Task<bool> IsListeningAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public Task<OperationResult<IReadOnlyList<UserDto>>> ListUsersAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "users", null, AdminJsonContext.Default.IReadOnlyListUserDto, cancellationToken);

    public Task<OperationResult<UserDto>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "users", JsonContent.Create(request, AdminJsonContext.Default.CreateUserRequest), AdminJsonContext.Default.UserDto, cancellationToken);

    public Task<OperationResult<UserDto>> RenameUserAsync(string name, string newName, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"users/{Escape(name)}/rename", Rename(newName), AdminJsonContext.Default.UserDto, cancellationToken);

    public Task<OperationResult<UserDeletionDto>> DeleteUserAsync(string name, bool force, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"users/{Escape(name)}?force={(force ? "true" : "false")}", null, AdminJsonContext.Default.UserDeletionDto, cancellationToken);

    public Task<OperationResult<IReadOnlyList<PreAuthKeyDto>>> ListPreAuthKeysAsync(string? user, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "preauthkeys" + UserQuery(user), null, AdminJsonContext.Default.IReadOnlyListPreAuthKeyDto, cancellationToken);

    public Task<OperationResult<PreAuthKeyDto>> CreatePreAuthKeyAsync(CreatePreAuthKeyRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "preauthkeys", JsonContent.Create(request, AdminJsonContext.Default.CreatePreAuthKeyRequest), AdminJsonContext.Default.PreAuthKeyDto, cancellationToken);

    public Task<OperationResult<PreAuthKeyDto>> ExpirePreAuthKeyAsync(string prefix, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"preauthkeys/{Escape(prefix)}/expire", null, AdminJsonContext.Default.PreAuthKeyDto, cancellationToken);

    public Task<OperationResult<PreAuthKeyDto>> DeletePreAuthKeyAsync(string prefix, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"preauthkeys/{Escape(prefix)}", null, AdminJsonContext.Default.PreAuthKeyDto, cancellationToken);

    public Task<OperationResult<NodeDto>> SetNodeExpiryAsync(long id, SetExpiryRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"nodes/{Id(id)}/expiry", JsonContent.Create(request, AdminJsonContext.Default.SetExpiryRequest), AdminJsonContext.Default.NodeDto, cancellationToken);

    public Task<OperationResult<IReadOnlyList<NodeDto>>> ListNodesAsync(string? user, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "nodes" + UserQuery(user), null, AdminJsonContext.Default.IReadOnlyListNodeDto, cancellationToken);

    public Task<OperationResult<NodeDto>> ExpireNodeAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"nodes/{Id(id)}/expire", null, AdminJsonContext.Default.NodeDto, cancellationToken);

    public Task<OperationResult<NodeDto>> RenameNodeAsync(long id, string newName, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"nodes/{Id(id)}/rename", Rename(newName), AdminJsonContext.Default.NodeDto, cancellationToken);

    public Task<OperationResult<NodeDto>> SetNodeTagsAsync(long id, IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"nodes/{Id(id)}/tags", JsonContent.Create(new SetTagsRequest(tags), AdminJsonContext.Default.SetTagsRequest), AdminJsonContext.Default.NodeDto, cancellationToken);

    public Task<OperationResult<NodeDto>> DeleteNodeAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"nodes/{Id(id)}", null, AdminJsonContext.Default.NodeDto, cancellationToken);

    public Task<OperationResult<IReadOnlyList<PendingRegistrationDto>>> ListPendingRegistrationsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "registrations", null, AdminJsonContext.Default.IReadOnlyListPendingRegistrationDto, cancellationToken);

    public Task<OperationResult<NodeDto>> ApproveRegistrationAsync(string id, string user, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Post,
            $"registrations/{Escape(id)}/approve",
            JsonContent.Create(new ApproveRegistrationRequest(user), AdminJsonContext.Default.ApproveRegistrationRequest),
            AdminJsonContext.Default.NodeDto,
            cancellationToken);

    public Task<OperationResult<RegistrationRejectionDto>> RejectRegistrationAsync(string id, string? reason, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Post,
            $"registrations/{Escape(id)}/reject",
            JsonContent.Create(new RejectRegistrationRequest(reason), AdminJsonContext.Default.RejectRegistrationRequest),
            AdminJsonContext.Default.RegistrationRejectionDto,
            cancellationToken);

    public Task<OperationResult<NodeDto>> ApproveNodeRoutesAsync(long id, IReadOnlyList<string> routes, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"nodes/{Id(id)}/routes", JsonContent.Create(new ApproveRoutesRequest(routes), AdminJsonContext.Default.ApproveRoutesRequest), AdminJsonContext.Default.NodeDto, cancellationToken);

    /// <summary>Several appliances on one database: this instance and the settings it disagrees on (docs/ops/ha.md).</summary>
    public Task<OperationResult<Hosting.Cluster.ClusterStatusDto>> ClusterStatusAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "cluster", null, AdminJsonContext.Default.ClusterStatusDto, cancellationToken);

    public Task<OperationResult<PolicyDto>> GetPolicyAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "policy", null, AdminJsonContext.Default.PolicyDto, cancellationToken);

    public Task<OperationResult<PolicyDto>> SetPolicyAsync(SetPolicyRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, "policy", JsonContent.Create(request, AdminJsonContext.Default.SetPolicyRequest), AdminJsonContext.Default.PolicyDto, cancellationToken);

    public Task<OperationResult<PolicyCheckDto>> CheckPolicyAsync(CheckPolicyRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "policy/check", JsonContent.Create(request, AdminJsonContext.Default.CheckPolicyRequest), AdminJsonContext.Default.PolicyCheckDto, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<OperationResult<T>> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var value = await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken).ConfigureAwait(false);
            return OperationResult.Ok(value!);
        }

        var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var status = response.StatusCode switch
        {
            HttpStatusCode.NotFound => OperationStatus.NotFound,
            HttpStatusCode.Conflict => OperationStatus.Conflict,
            HttpStatusCode.BadRequest => OperationStatus.Invalid,
            HttpStatusCode.ServiceUnavailable => OperationStatus.Unavailable,
            _ => throw new HttpRequestException($"the admin API answered {(int)response.StatusCode}: {error}"),
        };
        return new OperationResult<T>(status, default, error);
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.ErrorDto, cancellationToken).ConfigureAwait(false);
            return error?.Error ?? response.ReasonPhrase ?? "error";
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? "error";
        }
    }

    private static JsonContent Rename(string newName) => JsonContent.Create(new RenameRequest(newName), AdminJsonContext.Default.RenameRequest);

    private static string UserQuery(string? user) => user is null ? string.Empty : "?user=" + Uri.EscapeDataString(user);

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
