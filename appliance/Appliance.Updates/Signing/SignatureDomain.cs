using System.Text;

namespace Appliance.Updates.Signing;

/// <summary>
/// Domain separation: every signed message is a fixed context string followed by the signed bytes, so a
/// signature made over root metadata can never be replayed as a signature over a bundle manifest (or the
/// other way round), even by a key that holds both roles.
/// </summary>
public static class SignatureDomain
{
    public static ReadOnlySpan<byte> RootContext => "appliance root metadata v1\n"u8;

    public static ReadOnlySpan<byte> ManifestContext => "appliance bundle manifest v1\n"u8;

    public static byte[] RootMessage(ReadOnlySpan<byte> signedBytes) => Concat(RootContext, signedBytes);

    public static byte[] ManifestMessage(ReadOnlySpan<byte> manifestBytes) => Concat(ManifestContext, manifestBytes);

    private static byte[] Concat(ReadOnlySpan<byte> context, ReadOnlySpan<byte> body)
    {
        var message = new byte[context.Length + body.Length];
        context.CopyTo(message);
        body.CopyTo(message.AsSpan(context.Length));
        return message;
    }

    internal static string Describe(ReadOnlySpan<byte> context) => Encoding.ASCII.GetString(context).TrimEnd('\n');
}
