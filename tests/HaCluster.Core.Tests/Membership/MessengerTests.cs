using System.Security.Cryptography;
using HaCluster.Core.Membership;
using Xunit;

namespace HaCluster.Core.Tests.Membership;

public sealed class MessengerTests
{
    private static List<(int From, byte[] Message)> Drain(MembershipEngine engine)
    {
        var got = new List<(int, byte[])>();
        while (engine.TryTakeMessage(out var from, out var message)) got.Add((from, message));
        return got;
    }

    [Fact]
    public void A_5MB_message_goes_through_loss_duplication_and_reordering_intact_and_once()
    {
        var sim = new SimulatedCluster(3, 2, seed: 21) { MaxDelay = TimeSpan.FromMilliseconds(30), Duplicate = 0.05 };
        sim.Loss[0] = 0.1;
        sim.Loss[1] = 0.1;
        sim.Run(TimeSpan.FromSeconds(1));
        var cib = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        sim.Engines[1].SendMessage(2, cib);
        sim.Engines[1].SendMessage(3, cib);
        var received = new Dictionary<int, List<(int From, byte[] Message)>> { [2] = [], [3] = [] };
        for (var i = 0; i < 300 && (received[2].Count == 0 || received[3].Count == 0); i++)
        {
            sim.Run(TimeSpan.FromMilliseconds(100));
            received[2].AddRange(Drain(sim.Engines[2]));
            received[3].AddRange(Drain(sim.Engines[3]));
        }
        foreach (var node in new[] { 2, 3 })
        {
            var m = Assert.Single(received[node]);
            Assert.Equal(1, m.From);
            Assert.True(cib.AsSpan().SequenceEqual(m.Message), $"node{node} got a different CIB");
        }
        Assert.True(sim.Engines[1].Retransmissions > 0, "10% loss should have needed retransmissions");
        Assert.Equal(0, sim.Engines[1].Unacknowledged(2));
        Assert.DoesNotContain(sim.Events, e => e.Event.Kind == MembershipEventKind.NodeLost);
    }

    [Fact]
    public void Messages_from_one_sender_arrive_in_the_order_sent()
    {
        var sim = new SimulatedCluster(2, 1, seed: 22) { MaxDelay = TimeSpan.FromMilliseconds(50) };
        sim.Loss[0] = 0.2;
        sim.Run(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 300; i++) sim.Engines[2].SendMessage(1, BitConverter.GetBytes(i));
        var got = new List<int>();
        for (var t = 0; t < 100 && got.Count < 300; t++)
        {
            sim.Run(TimeSpan.FromMilliseconds(100));
            got.AddRange(Drain(sim.Engines[1]).Select(m => BitConverter.ToInt32(m.Message)));
        }
        Assert.Equal(Enumerable.Range(0, 300), got);
    }

    [Fact]
    public void An_empty_message_is_delivered_too()
    {
        var sim = new SimulatedCluster(2, 1, seed: 23);
        sim.Run(TimeSpan.FromSeconds(1));
        sim.Engines[1].SendMessage(2, []);
        sim.Run(TimeSpan.FromMilliseconds(200));
        Assert.Empty(Assert.Single(Drain(sim.Engines[2])).Message);
    }

    [Fact]
    public void A_peer_that_restarts_starts_fresh_streams_and_still_receives_new_messages()
    {
        var sim = new SimulatedCluster(2, 1, seed: 24);
        sim.Run(TimeSpan.FromSeconds(1));
        sim.Engines[1].SendMessage(2, [1]);
        sim.Run(TimeSpan.FromMilliseconds(200));
        Assert.Single(Drain(sim.Engines[2]));
        sim.Start(2);
        sim.Run(TimeSpan.FromMilliseconds(500));
        sim.Engines[1].SendMessage(2, [2]);
        sim.Run(TimeSpan.FromMilliseconds(300));
        Assert.Equal([2], Assert.Single(Drain(sim.Engines[2])).Message);
    }
}
