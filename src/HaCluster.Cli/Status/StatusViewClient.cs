using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HaCluster.Core.Api;
using HaCluster.Core.Status.Views;

namespace HaCluster.Cli.Status;

/// <summary>
/// Asks haclusterd for its status already laid out (text or crm_mon's XML) and prints it: what
/// `hacrm status` and `hacrm mon` do. It reads and writes the API's JSON with the low-level
/// reader and writer instead of the serializer, whose first use in a new process cost ~100 ms
/// (measured with the status-latency benchmark); the message is the API's usual one
/// (<see cref="ApiRequest"/> in, <see cref="ApiReply"/>'s ok/error/text/exit out).
/// </summary>
public static class StatusViewClient
{
    /// <summary>Prints the view and returns hacrm's exit status for it.</summary>
    public static int Show(string socketPath, string view, StatusFilter filter, TextWriter output, TextWriter error)
    {
        var (text, exit, problem) = Ask(socketPath, view, filter);
        if (text is null)
        {
            error.WriteLine($"hacrm status: {problem}");
            return LiveStatusView.ExitUnreachable;
        }
        output.Write(StatusColours.For(output, text));
        return exit;
    }

    /// <summary>The laid-out status and its exit status, or a null text and why it could not be had.</summary>
    public static (string? Text, int Exit, string? Problem) Ask(string socketPath, string view, StatusFilter filter, TimeSpan? timeout = null)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.ReceiveTimeout = socket.SendTimeout = (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.Send(Request(view, filter));
            socket.Shutdown(SocketShutdown.Send);
            var reply = new ArrayBufferWriter<byte>(64 * 1024);
            int read;
            while ((read = socket.Receive(reply.GetSpan(16 * 1024))) > 0) reply.Advance(read);
            return Parse(reply.WrittenSpan, socketPath);
        }
        catch (SocketException e)
        {
            return (null, LiveStatusView.ExitUnreachable, ApiClient.Describe(e, socketPath));
        }
        catch (JsonException e)
        {
            return (null, LiveStatusView.ExitUnreachable, $"haclusterd on {socketPath} gave no usable answer: {e.Message}");
        }
    }

    private static byte[] Request(string view, StatusFilter filter)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("command", "status");
            json.WriteStartObject("arguments");
            foreach (var (name, value) in LiveStatusView.Arguments(view, filter)) json.WriteString(name, value);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    private static (string? Text, int Exit, string? Problem) Parse(ReadOnlySpan<byte> reply, string socketPath)
    {
        bool? ok = null;
        string? error = null, text = null;
        var exit = LiveStatusView.ExitHealthy;
        var reader = new Utf8JsonReader(reply);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("the reply is not a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "ok": ok = reader.GetBoolean(); break;
                case "error": error = reader.GetString(); break;
                case "text": text = reader.GetString(); break;
                case "exit": exit = reader.GetInt32(); break;
                default: reader.Skip(); break;
            }
        }
        if (ok != true) return (null, LiveStatusView.ExitUnreachable, error ?? $"haclusterd on {socketPath} refused the request");
        if (text is null) return (null, LiveStatusView.ExitUnreachable, $"haclusterd on {socketPath} sent no status view (an older daemon?)");
        return (text, exit, null);
    }
}
