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
/// A request may be as large as <paramref name="maxRequestBytes"/> (cluster.yaml's
/// <c>api_max_request</c>; a configuration of thousands of resources is a few megabytes); past it
/// the daemon reads the rest away and answers "too large", so the client gets a reason and not a
/// reset connection.
/// </summary>
public sealed partial class LocalApiServer(string path, Func<ApiRequest, ApiCaller, ApiReply> handle, ILogger log,
    long maxRequestBytes = LocalApiServer.DefaultMaxRequestBytes) : IAsyncDisposable
{
    public const long DefaultMaxRequestBytes = 256L * 1024 * 1024;

    /// <summary>How long a client may take to send its whole request.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly Socket listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly LogRateLimiter refusals = new(TimeSpan.FromMinutes(1));
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
                    // A line per refused user a minute at most: 1,000 connects are not 1,000 lines.
                    if (refusals.ShouldLog($"uid {uid}", out var suppressed))
                        log.LogWarning("local API: refused uid {Uid} (pid {Pid}): not root and not in group {Group}{Suppressed}", uid, pid, PeerCredentials.Group,
                            suppressed > 0 ? $" ({suppressed} more refusals of this uid in the last minute)" : "");
                    reply = new ApiReply(false, $"permission denied: only root and members of group {PeerCredentials.Group} may use the cluster API");
                }
                else
                {
                    using var timeout = new CancellationTokenSource(RequestTimeout);
                    var (body, length) = await ReadRequestAsync(stream, maxRequestBytes, timeout.Token);
                    reply = body is null && length > maxRequestBytes
                        ? new ApiReply(false, $"request too large: {length} bytes or more, above the limit of {maxRequestBytes} bytes (api_max_request in cluster.yaml)")
                        : Parse(body) is { } request ? handle(request, new ApiCaller(pid, uid))
                        : new ApiReply(false, "malformed request: expected one JSON object line");
                }
                await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(reply, ApiJson.Info<ApiReply>()));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The client went away or sent nothing: nothing to answer.
            }
        }
    }

    private static ApiRequest? Parse(byte[]? body)
    {
        if (body is null || body.Length == 0) return null;
        try
        {
            return JsonSerializer.Deserialize(body, ApiJson.Info<ApiRequest>());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads up to the first newline or the end of the stream. Past <paramref name="limit"/> bytes
    /// the rest is read and dropped (so the client is not reset while it writes) and the body is
    /// null; the length says how much came.
    /// </summary>
    private static async Task<(byte[]? Body, long Length)> ReadRequestAsync(Stream stream, long limit, CancellationToken cancel)
    {
        MemoryStream? buffer = new();
        var chunk = new byte[64 * 1024];
        long length = 0;
        while (true)
        {
            var n = await stream.ReadAsync(chunk, cancel);
            if (n == 0) break;
            var nl = Array.IndexOf(chunk, (byte)'\n', 0, n);
            var take = nl >= 0 ? nl : n;
            length += take;
            if (length > limit) buffer = null; // too large: what came is dropped, the rest counted
            buffer?.Write(chunk, 0, take);
            if (nl >= 0) break;
        }
        return (buffer?.ToArray(), length);
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
/// <param name="Via">Who asked, when not a local process (the REST API: "http from ADDRESS").</param>
public sealed record ApiCaller(int Pid, int Uid, string? Via = null)
{
    public string UserName => Via ?? PeerCredentials.UserName(Uid) ?? $"uid {Uid}";
}
