using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Appliance.State.Identity;
using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.Admin;

/// <summary>Status codes and bodies for admin results: 200/201 with the DTO, else 400/404/409/503 with an <see cref="ErrorDto"/>.</summary>
internal static class AdminResponses
{
    public static int StatusCodeFor(OperationStatus status) => status switch
    {
        OperationStatus.Ok => StatusCodes.Status200OK,
        OperationStatus.NotFound => StatusCodes.Status404NotFound,
        OperationStatus.Conflict => StatusCodes.Status409Conflict,
        OperationStatus.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    public static string StatusName(OperationStatus status) => status switch
    {
        OperationStatus.NotFound => "notFound",
        OperationStatus.Conflict => "conflict",
        OperationStatus.Invalid => "invalid",
        OperationStatus.Unavailable => "unavailable",
        _ => "ok",
    };

    public static async Task WriteAsync<T>(HttpContext context, OperationResult<T> result, JsonTypeInfo<T> typeInfo, int okStatus = StatusCodes.Status200OK)
    {
        if (result.IsOk)
        {
            context.Response.StatusCode = okStatus;
            await context.Response.WriteAsJsonAsync(result.Value!, typeInfo, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await WriteErrorAsync(context, StatusCodeFor(result.Status), new ErrorDto(result.Error ?? "failed", StatusName(result.Status))).ConfigureAwait(false);
    }

    public static async Task WriteErrorAsync(HttpContext context, int status, ErrorDto error)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(error, AdminJsonContext.Default.ErrorDto, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Reads a JSON body; null (after answering 400) when it is missing or malformed.</summary>
    public static async Task<T?> ReadBodyAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            var body = await context.Request.ReadFromJsonAsync(typeInfo, context.RequestAborted).ConfigureAwait(false);
            if (body is not null)
            {
                return body;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, new ErrorDto($"the request body is not valid JSON: {e.Message}", "invalid"))
                .ConfigureAwait(false);
            return null;
        }

        await WriteErrorAsync(context, StatusCodes.Status400BadRequest, new ErrorDto("a JSON request body is required", "invalid")).ConfigureAwait(false);
        return null;
    }
}
