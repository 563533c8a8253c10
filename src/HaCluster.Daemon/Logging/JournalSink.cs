using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace HaCluster.Daemon.Logging;

/// <summary>
/// Writes each log event to the systemd journal natively (the datagram protocol of
/// /run/systemd/journal/socket, sd_journal_send's), so its structured fields arrive as journal
/// fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, NODE, and each property of the event in upper
/// case (Resource as RESOURCE, Task as OPERATION, Transition as TRANSITION, ...), which
/// <c>journalctl -u haclusterd RESOURCE=vip</c> filters on. A value with a newline goes in the
/// protocol's length-prefixed form. A message too large for one datagram is cut, and said so.
/// </summary>
public sealed class JournalSink : ILogEventSink, IDisposable
{
    public const string DefaultSocket = "/run/systemd/journal/socket";
    /// <summary>Well under the socket's datagram limit (journald reads up to ~128 KiB without a memfd).</summary>
    private const int MaxValueBytes = 48 * 1024;

    private readonly Socket socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint endpoint;
    private readonly string node;
    private readonly object gate = new();

    public JournalSink(string node, string socketPath = DefaultSocket)
    {
        this.node = node;
        endpoint = new UnixDomainSocketEndPoint(socketPath);
        // Never wait for the journal: a stalled journald would otherwise stall whatever logs,
        // the controller's loop included. A line it cannot take now is dropped.
        socket.Blocking = false;
    }

    public void Emit(LogEvent e)
    {
        var datagram = Encode(e, node);
        lock (gate)
        {
            try
            {
                socket.SendTo(datagram, endpoint);
            }
            catch (SocketException)
            {
                // The journal is busy (its queue full) or gone (restarting): the line is lost.
            }
        }
    }

    /// <summary>The message as the console prints it: strings without quotes.</summary>
    private static readonly Serilog.Formatting.Display.MessageTemplateTextFormatter Literal = new("{Message:lj}");

    /// <summary>The datagram for one event (public for tests: journald's own parser is the reference).</summary>
    public static byte[] Encode(LogEvent e, string node)
    {
        var text = new MemoryStream();
        var rendered = new StringWriter();
        Literal.Format(e, rendered);
        var message = rendered.ToString();
        if (e.Exception is { } ex) message += "\n" + ex;
        if (e.Properties.TryGetValue(RepeatLimitingSink.Property, out var repeated) && repeated is ScalarValue { Value: string note } && note.Length > 0)
            message += note;
        Field(text, "MESSAGE", message);
        Field(text, "PRIORITY", DaemonLogging.PriorityOf(e.Level).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field(text, "SYSLOG_IDENTIFIER", "haclusterd");
        Field(text, "NODE", node);
        foreach (var (name, value) in e.Properties)
        {
            // "Text" is a controller line's whole message, already the MESSAGE.
            if (name is DaemonLogging.SyslogPriorityProperty or RepeatLimitingSink.Property or "SourceContext" or "Text" or "Node") continue;
            if (FieldName(name) is not { } field || field is "MESSAGE" or "PRIORITY" or "NODE" or "SYSLOG_IDENTIFIER") continue;
            Field(text, field, value is ScalarValue { Value: var v } ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "" : value.ToString());
        }
        return text.ToArray();
    }

    /// <summary>A property's journal field: Task is the OPERATION, other names upper snake case (ExitCode: EXIT_CODE); null if nothing is left.</summary>
    public static string? FieldName(string property)
    {
        if (property == "Task") return "OPERATION";
        var name = new StringBuilder();
        for (var i = 0; i < property.Length; i++)
        {
            var c = property[i];
            if (char.IsAsciiLetterUpper(c) && i > 0 && char.IsAsciiLetterLower(property[i - 1])) name.Append('_');
            if (char.IsAsciiLetterOrDigit(c)) name.Append(char.ToUpperInvariant(c));
            else if (name.Length > 0) name.Append('_');
        }
        // Journal field names start with a letter (an underscore is the journal's own) and stop at 64 characters.
        var result = name.ToString().TrimStart('_', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
        return result.Length == 0 ? null : result[..Math.Min(result.Length, 64)];
    }

    private static void Field(MemoryStream output, string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > MaxValueBytes) bytes = [.. bytes.AsSpan(0, MaxValueBytes), .. Encoding.UTF8.GetBytes(" [cut: the message was longer]")];
        output.Write(Encoding.ASCII.GetBytes(name));
        if (Array.IndexOf(bytes, (byte)'\n') < 0)
        {
            output.WriteByte((byte)'=');
            output.Write(bytes);
        }
        else
        {
            // NAME\n, the value's length as 64-bit little endian, the value, \n.
            output.WriteByte((byte)'\n');
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)bytes.Length);
            output.Write(length);
            output.Write(bytes);
        }
        output.WriteByte((byte)'\n');
    }

    public void Dispose() => socket.Dispose();
}
