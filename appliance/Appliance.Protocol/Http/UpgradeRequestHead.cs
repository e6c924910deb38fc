namespace Appliance.Protocol.Http;

/// <summary>What <see cref="UpgradeHeadReader.Read"/> made of the bytes a connection has received so far.</summary>
public enum UpgradeHeadStatus
{
    /// <summary>Still possibly an upgrade request for one of the reader's targets: wait for more bytes.</summary>
    NeedMore,

    /// <summary>
    /// Anything else: another path, another protocol version, HTTP/2's preface, TLS bytes, a request without
    /// <c>Upgrade</c> and <c>Connection: upgrade</c>, a body, a malformed field, a head longer than the bound. The bytes
    /// belong to the HTTP server's own parser.
    /// </summary>
    NotUpgrade,

    /// <summary>A complete HTTP/1.1 upgrade request head; see <see cref="UpgradeRequestHead"/>.</summary>
    Parsed,
}

/// <summary>
/// An HTTP/1.1 upgrade request head as a client wrote it on a fresh connection: <c>METHOD TARGET HTTP/1.1</c>,
/// exactly one <c>Upgrade</c> field, a <c>Connection</c> field naming <c>upgrade</c>, no body. Which protocol takes it
/// is the caller's decision (the connection-level dispatcher's targets, Control/Connections).
/// </summary>
/// <param name="Method">The request method as sent (case-sensitive, as HTTP methods are).</param>
/// <param name="Target">The request target, one of the reader's targets.</param>
/// <param name="Upgrade">The single <c>Upgrade</c> field's value, trimmed.</param>
/// <param name="Length">Bytes from the connection's first byte through the blank line that ends the head.</param>
/// <param name="Fields">Every field in order, names as sent, values trimmed of spaces and tabs.</param>
public sealed record UpgradeRequestHead(string Method, string Target, string Upgrade, int Length, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    /// <summary>How many fields carry this name (ASCII case-insensitive, as HTTP field names are).</summary>
    public int Count(string name)
    {
        var count = 0;
        foreach (var field in Fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The value of the one field with this name; false when it is absent or repeated.</summary>
    public bool TryGetSingle(string name, out string value)
    {
        value = "";
        var found = false;
        foreach (var field in Fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                if (found)
                {
                    value = "";
                    return false;
                }

                found = true;
                value = field.Value;
            }
        }

        return found;
    }
}
