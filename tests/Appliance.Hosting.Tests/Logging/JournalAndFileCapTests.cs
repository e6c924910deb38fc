using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Logging;

namespace Appliance.Hosting.Tests.Logging;

/// <summary>
/// Issue 15's logging faults: a multi-line event (an exception) must reach journald as one entry with its priority,
/// and the log file must stop growing at log.file_size_limit_mb.
/// </summary>
public sealed class JournalAndFileCapTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"appliance-journal-{Guid.NewGuid():N}");

    public JournalAndFileCapTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public void A_multi_line_exception_is_one_journal_entry_with_the_error_priority()
    {
        var socketPath = Path.Combine(_dir, "journal.socket");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(socketPath));
        var paths = AppliancePaths.From(new ApplianceOptions { Server = { DataDir = _dir }, Log = { File = "off" } });

        using (var logger = ApplianceLogging.CreateLogger(new LogOptions { ConsoleFormat = ConsoleLogFormat.Plain, File = "off" }, paths, _ => null, socketPath))
        {
            logger.ForContext("SourceContext", "Appliance.Test").Error(Thrown(), "Storing node {NodeId} failed\nsecond line of the message", 7);
            logger.Information("One line");
        }

        var first = Receive(journal);
        var second = Receive(journal);
        journal.ReceiveTimeout = 200;
        Assert.Throws<SocketException>(() => Receive(journal));

        Assert.Equal("3", first["PRIORITY"]);
        Assert.Equal("appliance", first["SYSLOG_IDENTIFIER"]);
        Assert.Equal("Appliance.Test", first["APPLIANCE_SOURCE"]);
        var message = first["MESSAGE"];
        Assert.StartsWith("Appliance.Test: Storing node 7 failed\nsecond line of the message\n", message, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: disk said no", message, StringComparison.Ordinal);
        Assert.Contains(" at ", message, StringComparison.Ordinal);
        Assert.True(message.Split('\n').Length > 3, message);

        Assert.Equal("6", second["PRIORITY"]);
        Assert.EndsWith("One line", second["MESSAGE"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_log_file_rolls_over_at_its_size_limit_and_keeps_only_retained_files()
    {
        var paths = AppliancePaths.From(new ApplianceOptions { Server = { DataDir = _dir } });
        var line = new string('x', 4096);
        using (var logger = ApplianceLogging.CreateLogger(new LogOptions { ConsoleFormat = ConsoleLogFormat.Json, FileSizeLimitMb = 1, RetainedFiles = 3 }, paths, _ => null))
        {
            // About 6 MiB of events into a folder capped at 3 files of 1 MiB.
            for (var i = 0; i < 1500; i++)
            {
                logger.Information("junk handshake {Index} {Padding}", i, line);
            }
        }

        var files = Directory.GetFiles(Path.Combine(_dir, "logs"), "appliance*.log");
        Assert.InRange(files.Length, 2, 3);
        // The event that crosses the limit is still written whole, then the file rolls.
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= (1024 * 1024) + (16 * 1024), $"{f} is {new FileInfo(f).Length} bytes"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static InvalidOperationException Thrown()
    {
        try
        {
            throw new InvalidOperationException("disk said no");
        }
        catch (InvalidOperationException exception)
        {
            return exception;
        }
    }

    /// <summary>Parses one native-protocol datagram (systemd.io/JOURNAL_NATIVE_PROTOCOL).</summary>
    private static Dictionary<string, string> Receive(Socket journal)
    {
        var buffer = new byte[256 * 1024];
        var length = journal.Receive(buffer);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var span = buffer.AsSpan(0, length);
        while (span.Length > 0)
        {
            var end = span.IndexOf((byte)'\n');
            var equals = span[..end].IndexOf((byte)'=');
            if (equals >= 0)
            {
                fields[Encoding.ASCII.GetString(span[..equals])] = Encoding.UTF8.GetString(span[(equals + 1)..end]);
                span = span[(end + 1)..];
                continue;
            }

            var name = Encoding.ASCII.GetString(span[..end]);
            var size = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[(end + 1)..]);
            fields[name] = Encoding.UTF8.GetString(span.Slice(end + 9, size));
            Assert.Equal((byte)'\n', span[end + 9 + size]);
            span = span[(end + 10 + size)..];
        }

        return fields;
    }
}
