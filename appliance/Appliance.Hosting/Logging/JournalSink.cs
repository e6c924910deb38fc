using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace Appliance.Hosting.Logging;

/// <summary>
/// Writes each event as one datagram of journald's native protocol (systemd.io/JOURNAL_NATIVE_PROTOCOL), so a
/// multi-line message or an exception with its stack trace is one journal entry with the event's priority. Through
/// stdout, journald splits on newlines: every line after the first became an entry of its own at the default
/// priority, and `journalctl -p err` lost the stack traces. Fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, and
/// APPLIANCE_SOURCE / APPLIANCE_EVENT_ID when the event carries them. A datagram that cannot be sent (journald
/// gone, message too large) goes to the fallback sink instead, never lost and never thrown.
/// </summary>
public sealed class JournalSink : ILogEventSink, IDisposable
{
    /// <summary>The socket journald listens on (sd_journal_sendv).</summary>
    public const string DefaultSocketPath = "/run/systemd/journal/socket";

    /// <summary>Messages are cut here so a datagram stays below the socket's default send buffer (212,992 bytes on Linux).</summary>
    public const int MaxMessageBytes = 128 * 1024;

    private static readonly string[] Priorities = ["7", "7", "6", "4", "3", "2"];

    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _journal;
    private readonly MessageTemplateTextFormatter _message = new("{SourceContext}: {Message:lj}{NewLine}{Exception}", CultureInfo.InvariantCulture);
    private readonly ILogEventSink _fallback;
    private readonly Lock _gate = new();

    public JournalSink(string socketPath, ILogEventSink fallback)
    {
        _journal = new UnixDomainSocketEndPoint(socketPath);
        _fallback = fallback;
    }

    /// <summary>True when journald's socket exists (the process runs on a systemd host).</summary>
    public static bool IsAvailable(string socketPath = DefaultSocketPath) => File.Exists(socketPath);

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var datagram = Encode(logEvent);
        try
        {
            lock (_gate)
            {
                _socket.SendTo(datagram, _journal);
            }
        }
        catch (SocketException)
        {
            _fallback.Emit(logEvent);
        }
    }

    /// <summary>The native-protocol datagram for one event.</summary>
    public byte[] Encode(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        _message.Format(logEvent, text);
        var message = text.ToString().TrimEnd('\n', '\r');
        if (Encoding.UTF8.GetByteCount(message) > MaxMessageBytes)
        {
            message = message[..(MaxMessageBytes / 4)] + "\n[truncated: the full event is in the log file]";
        }

        using var buffer = new MemoryStream();
        Field(buffer, "MESSAGE", message);
        Field(buffer, "PRIORITY", Priorities[(int)logEvent.Level]);
        Field(buffer, "SYSLOG_IDENTIFIER", "appliance");
        if (logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string context })
        {
            Field(buffer, "APPLIANCE_SOURCE", context);
        }

        if (logEvent.Properties.TryGetValue("EventId", out var eventId) && eventId is StructureValue id
            && id.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: { } number })
        {
            Field(buffer, "APPLIANCE_EVENT_ID", Convert.ToString(number, CultureInfo.InvariantCulture)!);
        }

        return buffer.ToArray();
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>NAME=value\n, or for a value with a newline: NAME\n, its length as 64-bit little endian, the value, \n.</summary>
    private static void Field(Stream output, string name, string value)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name);
        var valueBytes = Encoding.UTF8.GetBytes(value);
        output.Write(nameBytes);
        if (!value.Contains('\n', StringComparison.Ordinal))
        {
            output.WriteByte((byte)'=');
            output.Write(valueBytes);
            output.WriteByte((byte)'\n');
            return;
        }

        output.WriteByte((byte)'\n');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)valueBytes.Length);
        output.Write(length);
        output.Write(valueBytes);
        output.WriteByte((byte)'\n');
    }
}
