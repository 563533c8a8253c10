using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using HaCluster.Core.Api;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.LocalApi;

/// <summary>
/// The Unix-socket API hacrm talks to: mode 0660 and group haclient (0600 when the group does
/// not exist); each connection's peer credentials are checked again, so a socket made too open
/// by accident still refuses strangers. One JSON request line in, one JSON reply out.
/// </summary>
public sealed partial class LocalApiServer(string path, Func<ApiRequest, ApiCaller, ApiReply> handle, ILogger log) : IAsyncDisposable
{
    private readonly Socket listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource stop = new();
    private Task? loop;

    public void Start()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path)) File.Delete(path); // a stale socket from a previous run
        listener.Bind(new UnixDomainSocketEndPoint(path));
        if (PeerCredentials.HaclientGroup() is { } group)
        {
            Chown(path, -1, group.Gid);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        listener.Listen(64);
        loop = Task.Run(AcceptLoop);
    }

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                log.LogWarning("local API accept failed: {Error}", e.Message);
                continue;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(Socket client)
    {
        using (client)
        {
            try
            {
                using var stream = new NetworkStream(client, ownsSocket: false);
                var (pid, uid, gid) = PeerCredentials.Of(client);
                ApiReply reply;
                if (!PeerCredentials.MayUseApi(uid, gid))
                {
                    log.LogWarning("local API: refused uid {Uid} (pid {Pid}): not root and not in group {Group}", uid, pid, PeerCredentials.Group);
                    reply = new ApiReply(false, $"permission denied: only root and members of group {PeerCredentials.Group} may use the cluster API");
                }
                else
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    var line = await ReadLineAsync(stream, timeout.Token);
                    ApiRequest? request = null;
                    try
                    {
                        request = line is null ? null : JsonSerializer.Deserialize(line, ApiJson.Info<ApiRequest>());
                    }
                    catch (JsonException)
                    {
                    }
                    reply = request is null ? new ApiReply(false, "malformed request: expected one JSON object line") : handle(request, new ApiCaller(pid, uid));
                }
                await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(reply, ApiJson.Info<ApiReply>()));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The client went away or sent nothing: nothing to answer.
            }
        }
    }

    /// <summary>Reads up to the first newline (at most 64 KiB).</summary>
    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken cancel)
    {
        var buffer = new MemoryStream();
        var one = new byte[4096];
        while (buffer.Length < 65536)
        {
            var n = await stream.ReadAsync(one, cancel);
            if (n == 0) break;
            var nl = Array.IndexOf(one, (byte)'\n', 0, n);
            buffer.Write(one, 0, nl >= 0 ? nl : n);
            if (nl >= 0) break;
        }
        return buffer.Length == 0 ? null : Encoding.UTF8.GetString(buffer.ToArray());
    }

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, int owner, int group);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Dispose();
        if (loop is not null) await loop;
        try { File.Delete(path); } catch (IOException) { }
    }
}

/// <summary>Who sent an API request, as the kernel says (SO_PEERCRED), not as the request claims.</summary>
public sealed record ApiCaller(int Pid, int Uid)
{
    public string UserName => PeerCredentials.UserName(Uid) ?? $"uid {Uid}";
}
