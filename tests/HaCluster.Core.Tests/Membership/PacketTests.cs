using HaCluster.Core.Membership;
using Xunit;

namespace HaCluster.Core.Tests.Membership;

public sealed class PacketTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
    private static readonly uint Cluster = Packet.ClusterHash("prod");

    private static byte[] Encode(byte[] payload, int sender = 3, long seq = 5, byte ring = 1, uint? cluster = null, byte[]? key = null)
    {
        var buffer = new byte[Packet.MaxDatagram];
        var header = new PacketHeader(MessageType.Data, ring, cluster ?? Cluster, sender, 1234, seq, payload.Length);
        return buffer[..Packet.Encode(header, payload, key ?? Key, buffer)];
    }

    [Fact]
    public void A_packet_round_trips_with_its_header()
    {
        var bytes = Encode([1, 2, 3]);
        Assert.True(Packet.TryDecode(bytes, Cluster, Key, out var header, out _));
        Assert.Equal(new PacketHeader(MessageType.Data, 1, Cluster, 3, 1234, 5, 3), header);
        Assert.Equal([1, 2, 3], Packet.Payload(bytes, header).ToArray());
    }

    [Fact]
    public void Each_kind_of_bad_packet_is_dropped_with_its_reason()
    {
        var good = Encode([9, 9, 9, 9]);
        DropReason Why(byte[] bytes)
        {
            Assert.False(Packet.TryDecode(bytes, Cluster, Key, out _, out var reason));
            return reason;
        }
        Assert.Equal(DropReason.Truncated, Why(good[..20]));
        var magic = (byte[])good.Clone(); magic[0] ^= 1;
        Assert.Equal(DropReason.BadMagic, Why(magic));
        var version = (byte[])good.Clone(); version[4] = 9;
        Assert.Equal(DropReason.BadVersion, Why(version));
        Assert.Equal(DropReason.OtherCluster, Why(Encode([1], cluster: Packet.ClusterHash("test"))));
        Assert.Equal(DropReason.BadLength, Why(good[..^1]));
        Assert.Equal(DropReason.Forged, Why(Encode([1], key: new byte[32])));
        var tampered = (byte[])good.Clone(); tampered[Packet.HeaderLength] ^= 0x80;
        Assert.Equal(DropReason.Forged, Why(tampered));
    }

    /// <summary>No input can crash the decoder, and no mutation of a signed packet is accepted.</summary>
    [Fact]
    public void Fuzzing_the_decoder_with_random_and_mutated_packets_never_throws_or_accepts_a_forgery()
    {
        var rng = new Random(12345);
        var good = Encode(Enumerable.Range(0, 100).Select(i => (byte)i).ToArray());
        for (var i = 0; i < 200_000; i++)
        {
            byte[] input;
            switch (i % 4)
            {
                case 0:
                    input = new byte[rng.Next(0, 1500)];
                    rng.NextBytes(input);
                    break;
                case 1:
                    input = (byte[])good.Clone();
                    for (var flips = rng.Next(1, 4); flips > 0; flips--) input[rng.Next(input.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 2:
                    input = good[..rng.Next(good.Length)];
                    break;
                default:
                    input = (byte[])good.Clone();
                    // Keep the structure, change the length field: the MAC still covers everything.
                    input[32 + rng.Next(4)] = (byte)rng.Next(256);
                    break;
            }
            var accepted = Packet.TryDecode(input, Cluster, Key, out _, out _);
            if (accepted) Assert.Equal(good, input);
        }
    }
}
