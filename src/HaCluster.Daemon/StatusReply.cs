using HaCluster.Core.Api;
using HaCluster.Core.Membership;
using HaCluster.Transport;

namespace HaCluster.Daemon;

/// <summary>Turns the membership snapshot into the API's status reply.</summary>
public static class StatusReply
{
    public static ClusterStatusReply From(MembershipSnapshot s)
    {
        var view = s.View;
        string Name(int id) => s.Self.Id == id ? s.Self.Name : s.Peers.FirstOrDefault(p => p.Id == id)?.Name ?? id.ToString();
        var nodes = new List<NodeStatusReply> { new(s.Self.Name, s.Self.Id, "online", s.RingsHealthy.Select(_ => true).ToList(), 0) };
        nodes.AddRange(s.Peers.Select(p => new NodeStatusReply(p.Name, p.Id,
            p.Status switch { PeerStatus.Alive => "online", PeerStatus.Suspect => "suspect", PeerStatus.Dead => "offline", _ => "unseen" },
            p.RingsUp, p.SinceLastHeard?.TotalSeconds)));
        var rings = s.RingsHealthy.Select((healthy, i) => new RingStatusReply(i,
            RingKindName(s, i), RingAddress(s, i), healthy,
            s.Peers.Where(p => p.Status is PeerStatus.Alive or PeerStatus.Suspect && !p.RingsUp[i]).Select(p => p.Name).ToList())).ToList();
        return new ClusterStatusReply(
            s.ClusterName, "HaCluster", s.Self.Name, view.Dc is { } dc ? Name(dc) : null,
            view.Quorate, view.Votes, view.ExpectedVotes, view.Agreed, view.Settled, view.Epoch,
            nodes.OrderBy(n => n.Id).ToList(), rings,
            s.Drops.ToDictionary(d => d.Key.ToString(), d => d.Value), s.HeartbeatsSent);
    }

    private static string RingKindName(MembershipSnapshot s, int ring) => s.RingConfigs[ring].Kind == RingKind.Multicast ? "multicast" : "unicast";

    private static string RingAddress(MembershipSnapshot s, int ring)
    {
        var r = s.RingConfigs[ring];
        return r.Kind == RingKind.Multicast ? $"{r.Group}:{r.Port} via {s.Self.Addresses[ring]}" : $"{s.Self.Addresses[ring]}:{r.Port}";
    }
}
