using System.Net.Sockets;
using System.Text;
using HaCluster.Daemon;

namespace HaCluster.Cluster.Tests;

public sealed class SystemdNotifierTests
{
    [Fact]
    public void Notifications_reach_the_socket_systemd_names_and_nothing_happens_without_one()
    {
        var path = Path.Combine(Path.GetTempPath(), $"notify-{Guid.NewGuid():N}.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            using (var notifier = new SystemdNotifier(path))
            {
                Assert.True(notifier.Enabled);
                notifier.Notify("READY=1\nSTATUS=member of demo as node1");
            }
            var buffer = new byte[256];
            systemd.ReceiveTimeout = 2000;
            var n = systemd.Receive(buffer);
            Assert.Equal("READY=1\nSTATUS=member of demo as node1", Encoding.UTF8.GetString(buffer, 0, n));
            using var off = new SystemdNotifier("");
            Assert.False(off.Enabled);
            off.Notify("READY=1");
            Assert.Equal(TimeSpan.FromSeconds(15), SystemdNotifier.WatchdogInterval("30000000"));
            Assert.Null(SystemdNotifier.WatchdogInterval("0"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
