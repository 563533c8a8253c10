using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace HaCluster.Daemon;

/// <summary>
/// The sd_notify protocol, spoken directly (no libsystemd): datagrams such as "READY=1",
/// "STATUS=...", "STOPPING=1" and "WATCHDOG=1" to the Unix socket systemd names in NOTIFY_SOCKET
/// (an abstract socket when it starts with '@'). Without NOTIFY_SOCKET every call does nothing,
/// so the daemon runs the same outside systemd.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? socket;
    private readonly UnixDomainSocketEndPoint? endpoint;

    public SystemdNotifier(string? notifySocket = null)
    {
        var path = notifySocket ?? Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path)) return;
        // An abstract socket's name starts with a NUL byte, which systemd writes as '@'.
        endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public bool Enabled => socket is not null;

    /// <summary>How often to send WATCHDOG=1 (half of WATCHDOG_USEC), or null when systemd does not watch.</summary>
    public static TimeSpan? WatchdogInterval(string? usec = null)
    {
        var text = usec ?? Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var us) && us > 0 ? TimeSpan.FromMicroseconds(us / 2.0) : null;
    }

    public void Notify(string state)
    {
        if (socket is null || endpoint is null) return;
        try
        {
            socket.SendTo(Encoding.UTF8.GetBytes(state), endpoint);
        }
        catch (SocketException)
        {
            // systemd gone (or not listening): the service keeps running regardless.
        }
    }

    public void Dispose() => socket?.Dispose();
}
