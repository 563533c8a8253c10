using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HaCluster.Core.Api;

namespace HaCluster.Cli.Status;

/// <summary>hacrm's side of the local API: one request, one reply, over haclusterd's Unix socket.</summary>
public static class ApiClient
{
    public const string DefaultSocket = "/run/hacluster/api.sock";

    /// <summary>The reply, or null with <paramref name="problem"/> saying why the daemon could not be asked.</summary>
    public static ApiReply? Call(string socketPath, ApiRequest request, out string? problem, TimeSpan? timeout = null)
    {
        problem = null;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.ReceiveTimeout = socket.SendTimeout = (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            using var stream = new NetworkStream(socket, ownsSocket: false);
            stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, ApiJson.Info<ApiRequest>()) + "\n"));
            socket.Shutdown(SocketShutdown.Send);
            using var reply = new MemoryStream();
            stream.CopyTo(reply);
            return JsonSerializer.Deserialize(reply.ToArray(), ApiJson.Info<ApiReply>()) ?? throw new JsonException("empty reply");
        }
        catch (SocketException e)
        {
            problem = Describe(e, socketPath);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            problem = $"haclusterd on {socketPath} gave no usable answer: {e.Message}";
        }
        return null;
    }

    /// <summary>Why the daemon's socket could not be used, in an operator's words.</summary>
    public static string Describe(SocketException e, string socketPath) => e.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable or SocketError.ConnectionRefused => $"haclusterd is not running (nothing listens on {socketPath})",
        SocketError.AccessDenied => $"permission denied on {socketPath}: run as root or as a member of group haclient",
        _ => $"cannot reach haclusterd on {socketPath}: {e.Message}",
    };
}
