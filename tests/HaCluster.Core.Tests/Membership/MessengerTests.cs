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
        // The last acknowledgements may still be on their way: let them arrive, and check that
        // nothing is delivered twice meanwhile.
        sim.Run(TimeSpan.FromSeconds(2));
        received[2].AddRange(Drain(sim.Engines[2]));
        received[3].AddRange(Drain(sim.Engines[3]));
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

/// <summary>
/// Two messengers wired back to back (no loss): what one side forgets of a stream, the other must
/// not be stuck with. Found by the whole-cluster simulator (a one-way partition: one node declared
/// its peer dead and reset its streams, the peer did not, and their messages never flowed again).
/// </summary>
public sealed class MessengerSessionTests
{
    private sealed class Wire(Messenger to, int from, int self) : IFrameSink
    {
        public void SendFrame(MessageType type, int destination, ReadOnlySpan<byte> frame)
        {
            if (type == MessageType.Data) to.OnData(self == 1 ? 2 : 1, from, frame);
            else to.OnAck(self == 1 ? 2 : 1, from, TimeSpan.Zero, frame);
        }
    }

    private static List<byte[]> Exchange(Messenger a, Messenger b, int rounds = 20)
    {
        var got = new List<byte[]>();
        var now = TimeSpan.Zero;
        for (var i = 0; i < rounds; i++)
        {
            now += TimeSpan.FromMilliseconds(200);
            a.Tick(now, new Wire(b, 1, 1));
            b.Tick(now, new Wire(a, 2, 2));
            while (b.TryTake(out _, out var m)) got.Add(m);
        }
        return got;
    }

    [Fact]
    public void A_receiver_that_forgot_the_stream_gets_every_unacknowledged_message_once_after_the_sender_restarts_it()
    {
        var a = new Messenger();
        var b = new Messenger();
        a.Send(2, [1]);
        Assert.Single(Exchange(a, b));
        // b declares a dead (a does not notice): b's side of the stream is gone.
        b.Reset(1, restarted: false);
        a.Send(2, [2]);
        a.Send(2, [3]);
        var got = Exchange(a, b);
        Assert.Equal([[2], [3]], got);
        Assert.Equal(1, a.SessionRestarts);
        Assert.Equal(0, a.Unacknowledged(2));
    }

    [Fact]
    public void A_sender_that_forgot_the_stream_starts_a_higher_session_which_the_receiver_adopts()
    {
        var a = new Messenger();
        var b = new Messenger();
        a.Send(2, [1]);
        a.Send(2, [2]);
        Assert.Equal(2, Exchange(a, b).Count);
        // a declares b dead and forgets; b still expects a's old numbering.
        a.Reset(2, restarted: false);
        a.Send(2, [9]);
        Assert.Equal([[9]], Exchange(a, b));
        Assert.Equal(0, a.Unacknowledged(2));
    }

    [Fact]
    public void Messages_not_yet_acknowledged_when_the_sender_declared_the_peer_dead_still_reach_it_once_it_is_heard_again()
    {
        var a = new Messenger();
        var b = new Messenger();
        a.Send(2, [1]);
        Assert.Single(Exchange(a, b));
        // a result is queued for b; before any of it gets through, a declares b dead (a one-way cut).
        a.Send(2, [7]);
        a.Reset(2, restarted: false);
        Assert.True(a.Unacknowledged(2) > 0);
        // b was never gone: it gets the result, once.
        Assert.Equal([[7]], Exchange(a, b));
        Assert.Equal(0, a.Unacknowledged(2));
        // A peer that restarted is another process: nothing queued for its old self is sent.
        a.Send(2, [8]);
        a.Reset(2, restarted: true);
        Assert.Equal(0, a.Unacknowledged(2));
    }
}
