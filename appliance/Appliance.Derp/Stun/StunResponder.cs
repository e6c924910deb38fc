using System.Net;
using Appliance.Protocol.Stun;

namespace Appliance.Derp.Stun;

/// <summary>
/// Pure request → response step of the STUN server (tailscale net/stunserver/stunserver.go): a valid Tailscale Binding
/// Request gets a Binding Success Response with the source address as XOR-MAPPED-ADDRESS; anything else gets nothing.
/// </summary>
public static class StunResponder
{
    /// <summary>Returns the response length, or 0 when the datagram must be ignored.</summary>
    public static int TryRespond(ReadOnlySpan<byte> datagram, IPEndPoint source, Span<byte> response)
    {
        Span<byte> transactionId = stackalloc byte[StunConstants.TransactionIdLength];
        if (StunBindingRequest.TryParse(datagram, transactionId) != StunParseResult.Ok)
        {
            return 0;
        }

        return StunBindingResponse.TryWrite(response, transactionId, source, out var written) ? written : 0;
    }
}
