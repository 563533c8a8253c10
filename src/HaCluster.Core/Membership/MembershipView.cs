namespace HaCluster.Core.Membership;

/// <summary>
/// What this node believes about the cluster at one moment.
/// </summary>
/// <param name="Epoch">Increases every time this node's member set changes.</param>
/// <param name="Members">Node ids considered alive (this node included), ascending.</param>
/// <param name="Agreed">Every member reported exactly this member set in its latest heartbeat.</param>
/// <param name="Settled">Start-up is over: every node has been heard, or initdead has passed.</param>
/// <param name="Dc">The designated coordinator: of the agreed members, the one running longest
/// (smallest incarnation, then smallest id), so it keeps the role until it leaves. Null while the
/// view is unsettled or has never been agreed.</param>
public sealed record MembershipView(long Epoch, IReadOnlyList<int> Members, bool Agreed, bool Settled, int? Dc, bool Quorate, int Votes, int ExpectedVotes);

public enum MembershipEventKind { NodeJoined, NodeRestarted, NodeSuspected, NodeRecovered, NodeLost, RingFaulty, RingRecovered, ViewAgreed, DcElected, QuorumGained, QuorumLost, SelfStalled, PacketsDropped }

/// <summary>Something the daemon logs and the controller may act on.</summary>
public sealed record MembershipEvent(TimeSpan At, MembershipEventKind Kind, int? Node, int? Ring, string Message);

/// <summary>How a peer looks from here.</summary>
public enum PeerStatus { Unseen, Alive, Suspect, Dead }

/// <summary>One peer's state, for the status display.</summary>
public sealed record PeerInfo(int Id, string Name, PeerStatus Status, long Incarnation, IReadOnlyList<bool> RingsUp, TimeSpan? SinceLastHeard);

/// <summary>Where the engine's packets go: to every peer on a ring (null destination) or to one.</summary>
public interface IPacketSink
{
    void Send(int ring, int? destination, ReadOnlySpan<byte> datagram);
}
