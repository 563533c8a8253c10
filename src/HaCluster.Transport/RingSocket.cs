using System.Net;
using System.Net.Sockets;
using HaCluster.Core.Membership;

namespace HaCluster.Transport;

/// <summary>
/// One ring's UDP socket on this node. Unicast rings bind to this node's address for the ring and
/// send to each peer's; multicast rings bind the group's port, join the group on this node's
/// address and send to the group (and still unicast to one peer for point-to-point frames).
/// Addresses are serialised once, so sending allocates nothing.
/// </summary>
public sealed class RingSocket : IDisposable
{
    private readonly Socket socket;
    private readonly SocketAddress? group;
    private readonly Dictionary<int, SocketAddress> peers = new();
    private readonly SocketAddress[] allPeers;

    public int Ring { get; }
    public RingConfig Config { get; }
    public long SendErrors { get; private set; }

    public RingSocket(int ring, RingConfig config, NodeEntry self, IEnumerable<NodeEntry> others)
    {
        Ring = ring;
        Config = config;
        var local = self.Addresses[ring];
        var family = local.AddressFamily;
        socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        if (config.Interface is { } device)
        {
            // SO_BINDTODEVICE (SOL_SOCKET 1, option 25): this ring uses that interface only.
            socket.SetRawSocketOption(1, 25, System.Text.Encoding.ASCII.GetBytes(device + "\0"));
        }
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.ReceiveTimeout = ReceiveTimeoutMs;
        socket.SendBufferSize = 4 * 1024 * 1024;
        foreach (var p in others)
            peers[p.Id] = new IPEndPoint(p.Addresses[ring], config.Port).Serialize();
        allPeers = peers.Values.ToArray();
        if (config.Kind == RingKind.Multicast)
        {
            var g = config.Group!;
            // Several nodes of one machine (tests) may share the group's port.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, config.Port));
            // Only the group this socket joined: another ring may use the same port with its own
            // group (Linux otherwise delivers every joined group's datagrams to every socket on
            // the port). IP_MULTICAST_ALL is option 49 of IPPROTO_IP, IPV6_MULTICAST_ALL 29 of IPPROTO_IPV6.
            if (family == AddressFamily.InterNetworkV6) socket.SetRawSocketOption(41, 29, BitConverter.GetBytes(0));
            else socket.SetRawSocketOption(0, 49, BitConverter.GetBytes(0));
            if (family == AddressFamily.InterNetworkV6)
            {
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(g));
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, config.Ttl);
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(g, local));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, local.GetAddressBytes());
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, config.Ttl);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            }
            group = new IPEndPoint(g, config.Port).Serialize();
        }
        else
        {
            socket.Bind(new IPEndPoint(config.Bind ?? local, config.Port));
        }
    }

    /// <summary>Sends to one peer, or to every peer (the group on a multicast ring).</summary>
    public void Send(int? destination, ReadOnlySpan<byte> datagram)
    {
        try
        {
            if (destination is { } d)
            {
                if (peers.TryGetValue(d, out var one)) socket.SendTo(datagram, SocketFlags.None, one);
            }
            else if (group is not null)
            {
                socket.SendTo(datagram, SocketFlags.None, group);
            }
            else
            {
                foreach (var p in allPeers) socket.SendTo(datagram, SocketFlags.None, p);
            }
        }
        catch (SocketException)
        {
            // A down link or unreachable peer: the membership layer notices the silence.
            SendErrors++;
        }
    }

    /// <summary>
    /// Receives one datagram (blocking, up to <see cref="ReceiveTimeoutMs"/>) into
    /// <paramref name="buffer"/>; returns its length, or -1 when none came in time.
    /// </summary>
    /// <paramref name="source"/> is set to the sender's address (the membership layer checks it
    /// against the sender's configured one).
    public int Receive(Span<byte> buffer, SocketAddress source)
    {
        try
        {
            return socket.ReceiveFrom(buffer, SocketFlags.None, source);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return -1;
        }
    }

    /// <summary>A fresh buffer for <see cref="Receive"/>'s source address, of this ring's address family.</summary>
    public SocketAddress NewSourceAddress() => new(socket.AddressFamily);

    /// <summary>The address in a <see cref="Receive"/> source, IPv4-mapped IPv6 addresses as IPv4.</summary>
    public static IPAddress AddressOf(SocketAddress source)
    {
        var address = ((IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(source)).Address;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>How long a <see cref="Receive"/> waits before giving up (so its thread notices a stop).</summary>
    public const int ReceiveTimeoutMs = 200;

    public void Dispose() => socket.Dispose();
}
