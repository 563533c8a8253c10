using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// Configuration commits (`hacrm configure ... commit` on any node). The DC alone assigns
/// versions: it refuses a commit without quorum (unless no-quorum-policy=ignore), one that does
/// not parse or validate, and one whose edit began from an older version (unless forced); else it
/// stores the configuration as the next epoch and replication carries it on. A commit is
/// confirmed only when a quorum of the expected votes holds the new version, and every other
/// member does or <see cref="ConfirmationWait"/> has passed: a DC that stored a
/// commit, answered "ok" and died before sending it on would otherwise take it with it. A member
/// forwards a commit to the DC and answers its caller when the DC did (and the new version has
/// reached this node too, so the caller's next edit starts from it), or when the DC left or
/// stayed silent for <see cref="ForwardTimeout"/>.
/// </summary>
internal sealed class CommitProtocol(ControllerContext context, CibReplication cib, Action configurationChanged, ReportRounds rounds)
{
    public static readonly TimeSpan ConfirmationWait = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(30);
    /// <summary>How long a member waits for a version the DC confirmed to reach it (read your own writes).</summary>
    public static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(5);

    /// <summary>On the DC: commits stored and waiting for members to hold them. <c>ReplyTo</c> is a node id, or null for this node's own caller.</summary>
    private readonly List<Confirmation> confirming = new();
    /// <summary>On a member: commits forwarded to the DC, by request id.</summary>
    private readonly Dictionary<long, Forwarded> forwarded = new();

    private sealed record Confirmation(long RequestId, int? ReplyTo, CommitReply Reply, CibVersion Version, TimeSpan Since);
    private sealed record Forwarded(int Dc, TimeSpan Since, CibVersion? Confirmed, CommitReply? Reply, TimeSpan ConfirmedAt);

    /// <summary>Epochs come in bands of this many, one band per term (a DC's spell in office).</summary>
    public const long TermStride = 1000;

    /// <summary>This node's term as DC: its commits' epochs lie in [term x stride, (term + 1) x stride).</summary>
    private long term = cib.Version.Epoch / TermStride;

    /// <summary>Commits that wait for the DC's round to be answered by every member (so it knows every term they know).</summary>
    private readonly List<(CommitRequest Request, int? ReplyTo, TimeSpan Since)> waitingForRound = new();

    /// <summary>
    /// This node took over as DC from another (or from none). Its term is then higher than any it
    /// knows of, so its commits outrank whatever a former DC, cut off from the majority, may have
    /// stored unconfirmed in the moment before it noticed (that DC's term is older: it saw no
    /// change of DC). Without terms, such a commit of a higher node id outranked, when the
    /// partition healed, the commit the majority had confirmed meanwhile, which was lost (found by
    /// the simulator, seed 3276 of a long run: a one-way partition).
    /// </summary>
    public void BecameDc()
    {
        term = Math.Max(Math.Max(term, context.KnownTerm), cib.Version.Epoch / TermStride) + 1;
        context.LearnTerm(term, [context.SelfId]);
    }

    /// <summary>
    /// Whether this DC may number a version in its term now. Its round must be answered (it then
    /// knows every term its members know), and its term must be above every term another DC
    /// held: a DC that stayed DC through partitions never "became" DC again and may have been
    /// outranked meanwhile (simulator, seed 318555 of a long run), and two DCs that took over at
    /// once from the same knowledge pick the same term (seed 400890). Such a DC moves to the
    /// next term. And every member must know the term before a version is numbered in it: a
    /// later DC's members then include one that knows it (quorums meet), so its term is higher,
    /// and its commits outrank this DC's unconfirmed ones. Not settled yet: the members that do
    /// not know the term are told, and the commit waits for their answers.
    /// </summary>
    private bool TermSettled()
    {
        if (!rounds.AllAnswered()) return false;
        var holders = context.KnownTermHolders;
        if (context.KnownTerm > term || (context.KnownTerm == term && holders.Any(h => h != context.SelfId)))
        {
            var why = $"term {context.KnownTerm} held by {string.Join(", ", holders.Select(h => h == 0 ? "another DC" : context.Name(h)))}";
            term = context.KnownTerm + 1;
            context.LearnTerm(term, [context.SelfId]);
            context.Info($"{why}: this DC moves to term {term} before it commits");
        }
        if (rounds.AllKnowTerm(term)) return true;
        rounds.TellTerm(term);
        return false;
    }

    /// <summary>
    /// Why the DC cannot commit now (null: it can). It commits only once its term is settled and
    /// it holds the newest CIB any member holds: a DC back from a partition, still holding the
    /// configuration from before it, took a commit queued from then (based on that configuration)
    /// and numbered it above the one the majority had committed and confirmed meanwhile, which was
    /// lost (simulator, seed 1218618 of a long run). Waiting, it adopts the newer CIB (its holder
    /// sends it), and a commit based on the old one is then refused as based on a version no
    /// longer current. Nor, unless forced, over a newer CIB a node that left held
    /// (<see cref="NewerCibThatLeft"/>); that one is <c>Final</c>: nothing will come to wait for.
    /// </summary>
    private (string Reason, bool Final)? NotReady(bool force)
    {
        var settled = TermSettled();
        var newer = NewerCibAmongMembers();
        var left = NewerCibThatLeft();
        if (settled && newer is null && (force || left is null)) return null;
        if (newer is { } n) return ($"a member holds CIB {n}, newer than this DC's {cib.Version}, and it has not reached the DC yet; try again", false);
        if (left is { } l) return (LeftBehind(l), settled && !force);
        return ("the DC has not heard from every member since the view changed; try again", false);
    }

    /// <summary>The newest CIB a peer was seen to hold (advertised or reported), and who: kept after it leaves.</summary>
    private (CibVersion Version, string Holder)? newestSeen;

    /// <summary>
    /// A CIB newer than this node's that a peer held and took with it when it left, never passed
    /// on: committing on top of the older copy would outrank it and lose what it holds (a commit
    /// acknowledged while only that peer held it). Such commits wait for the peer, or for --force.
    /// </summary>
    private (CibVersion Version, string Holder)? NewerCibThatLeft()
    {
        NoteVersionsSeen();
        return newestSeen is { } seen && seen.Version > cib.Version ? seen : null;
    }

    private string LeftBehind((CibVersion Version, string Holder) left) =>
        $"{left.Holder} held CIB {left.Version}, newer than this DC's {cib.Version}, and left before passing it on; nothing was changed: " +
        $"bring {left.Holder} back, or commit with --force to go on without it (what it holds beyond {cib.Version} is then lost)";

    /// <summary>The CIB versions the members advertise (heartbeats) or report having loaded.</summary>
    private IEnumerable<(CibVersion Version, string Holder)> MembersVersions()
    {
        foreach (var m in context.OtherMembers)
        {
            if (context.PeerVersions.TryGetValue(m, out var advertised)) yield return (advertised, context.Name(m));
            if (rounds.Reports.TryGetValue(context.Name(m), out var r) && r.ProbedConfiguration is { } loaded && CibVersion.TryParse(loaded, out var v))
                yield return (v, context.Name(m));
        }
    }

    /// <summary>Remembers the newest version a member holds, for when it has left (<see cref="NewerCibThatLeft"/>).</summary>
    private void NoteVersionsSeen()
    {
        foreach (var seen in MembersVersions())
            if (newestSeen is not { } known || seen.Version > known.Version) newestSeen = seen;
    }

    /// <summary>The newest CIB version a member holds, when newer than this node's.</summary>
    private CibVersion? NewerCibAmongMembers()
    {
        NoteVersionsSeen();
        var newer = MembersVersions().Where(v => v.Version > cib.Version).Select(v => v.Version).ToList();
        return newer.Count == 0 ? null : newer.Max();
    }

    /// <summary>True while a commit waits on membership (the host then feeds membership changes promptly).</summary>
    public bool Waiting => confirming.Count > 0 || forwarded.Count > 0 || waitingForRound.Count > 0;

    /// <summary>A commit asked for on this node.</summary>
    public void Request(CommitRequested request)
    {
        var view = context.View;
        if (view.Dc is not { } dc)
        {
            context.Emit(new RequestAnswered(request.RequestId, false, "no DC yet (the cluster is forming or has no agreed view)"));
            return;
        }
        var commit = new CommitRequest(request.RequestId, request.ConfigurationXml, request.BaseVersion, request.Force, request.User, context.SelfName);
        if (dc == context.SelfId)
        {
            Commit(commit, null);
            return;
        }
        forwarded[request.RequestId] = new Forwarded(dc, context.Now.Elapsed, null, null, default);
        context.Send(dc, new CommitMessage(commit));
    }

    /// <summary>On the DC: a commit a member forwarded.</summary>
    public void Received(int from, CommitRequest request) => Commit(request, from);

    /// <summary>
    /// Applies a commit, once this DC's round has been answered by every member: a DC that has
    /// just taken over must know the highest term any member knows before it numbers a version.
    /// </summary>
    private void Commit(CommitRequest request, int? replyTo)
    {
        switch (context.IsDc ? NotReady(request.Force) : null)
        {
            case { Final: true } refused:
                Answer(request.Id, replyTo, new CommitReply(request.Id, false, refused.Reason, null));
                return;
            case not null:
                waitingForRound.Add((request, replyTo, context.Now.Elapsed));
                return;
        }
        Confirm(request.Id, replyTo, Apply(request));
    }

    /// <summary>On a member: the DC's answer to a forwarded commit.</summary>
    public void Answered(CommitReply reply)
    {
        if (!forwarded.TryGetValue(reply.Id, out var f)) return;
        if (reply.Ok && CibVersion.TryParse(reply.Version, out var version))
        {
            forwarded[reply.Id] = f with { Confirmed = version, Reply = reply, ConfirmedAt = context.Now.Elapsed };
            Check();
            return;
        }
        forwarded.Remove(reply.Id);
        context.Emit(new RequestAnswered(reply.Id, reply.Ok, reply.Error, reply.Version));
    }

    /// <summary>Membership, versions or time moved: answers what can be answered now.</summary>
    public void Check()
    {
        // Noted on every membership change, not only when a commit comes: the holder of a newer
        // CIB may be gone by then.
        NoteVersionsSeen();
        var now = context.Now.Elapsed;
        foreach (var w in waitingForRound.ToList())
        {
            var notReady = context.IsDc ? NotReady(w.Request.Force) : null;
            if (notReady is not null && now - w.Since <= ForwardTimeout - TimeSpan.FromSeconds(5)) continue;
            waitingForRound.Remove(w);
            if (notReady is { } why) Answer(w.Request.Id, w.ReplyTo, new CommitReply(w.Request.Id, false, why.Reason, null));
            else Confirm(w.Request.Id, w.ReplyTo, Apply(w.Request));
        }
        foreach (var c in confirming.ToList())
        {
            if (!Descends(cib.Version, c.Version))
            {
                // This node adopted another DC's newer configuration: the commit is not in it.
                confirming.Remove(c);
                Answer(c.RequestId, c.ReplyTo, c.Reply with { Ok = false, Error = $"committed as {c.Version}, then superseded by CIB {cib.Version} from another DC (a partition healed): the change was not kept; reload and commit it again" });
                continue;
            }
            var others = context.OtherMembers.ToList();
            // A member holds the commit when it holds that version or one this DC committed on
            // top of it; a higher version of another lineage (another DC's, across a partition)
            // does not count, though it compares higher (simulator, seed 28499 of a long run).
            var holders = 1 + others.Count(m => context.PeerVersions.TryGetValue(m, out var v) && Descends(v, c.Version));
            // Held by a quorum of the expected votes, always: "every member" alone is not enough
            // when members left meanwhile (a partition took two of five away between the commit
            // and its confirmation: simulator, seed 117).
            // And when the holders are no majority, not while a node outside may be committing
            // beside us (SplitBrainRisk): a two_node DC cut off between its commit and the
            // confirmation acknowledged it alone, then was fenced (simulator, seed 99 with two nodes).
            var quorum = Quorum(holders)
                && (holders * 2 > context.Bootstrap.Quorum.ExpectedVotes || SplitBrainRisk() is null);
            CommitReply reply;
            if (holders == others.Count + 1 && quorum) reply = c.Reply;
            else if (now - c.Since <= ConfirmationWait) continue;
            else if (quorum) reply = c.Reply;
            else
            {
                context.Warn($"configuration {c.Version}: only {holders} of {others.Count + 1} member(s) hold it after {ConfirmationWait.TotalSeconds} s");
                reply = c.Reply with { Ok = false, Error = $"committed as {c.Version} on the DC, but only {holders} of {others.Count + 1} member(s) confirmed holding it: it may be lost if the DC fails now" };
            }
            confirming.Remove(c);
            Answer(c.RequestId, c.ReplyTo, reply);
        }
        foreach (var (id, f) in forwarded.ToList())
        {
            if (f.Reply is { } ok)
            {
                // Read your own writes: answer once this node holds the version (or waited long enough).
                if (cib.Version >= f.Confirmed!.Value || now - f.ConfirmedAt > CatchUpWait) Finish(id, ok);
                continue;
            }
            if (!context.View.Members.Contains(f.Dc))
                Finish(id, new CommitReply(id, false, $"the DC ({context.Name(f.Dc)}) left the cluster before confirming; the commit may or may not have been applied: check with `hacrm configure show` and commit again if it is missing", null));
            else if (now - f.Since > ForwardTimeout)
                Finish(id, new CommitReply(id, false, $"the DC ({context.Name(f.Dc)}) did not answer within {ForwardTimeout.TotalSeconds:0} s; the commit may or may not have been applied", null));
        }
    }

    /// <summary>The versions this node committed, each on top of the one before (its lineage since it last adopted another's).</summary>
    private readonly List<CibVersion> chain = new();

    /// <summary><paramref name="version"/> is <paramref name="ancestor"/> or was committed here on top of it.</summary>
    private bool Descends(CibVersion version, CibVersion ancestor)
    {
        if (version == ancestor) return true;
        var at = chain.IndexOf(ancestor);
        return at >= 0 && chain.IndexOf(version) > at;
    }

    /// <summary>Whether <paramref name="votes"/> nodes are a quorum of the cluster (two_node: one of two is).</summary>
    private bool Quorum(int votes)
    {
        var q = context.Bootstrap.Quorum;
        return q.TwoNode && q.ExpectedVotes == 2 ? votes >= 1 : votes * 2 > q.ExpectedVotes;
    }

    private void Finish(long id, CommitReply reply)
    {
        forwarded.Remove(id);
        context.Emit(new RequestAnswered(id, reply.Ok, reply.Error, reply.Version));
    }

    private void Confirm(long requestId, int? replyTo, CommitReply reply)
    {
        if (!reply.Ok || reply.Version is null || !CibVersion.TryParse(reply.Version, out var version))
        {
            Answer(requestId, replyTo, reply);
            return;
        }
        confirming.Add(new Confirmation(requestId, replyTo, reply, version, context.Now.Elapsed));
        Check();
    }

    private void Answer(long requestId, int? replyTo, CommitReply reply)
    {
        if (replyTo is { } node) context.Send(node, new CommitResultMessage(reply with { Id = requestId }));
        else context.Emit(new RequestAnswered(requestId, reply.Ok, reply.Error, reply.Version));
    }

    /// <summary>
    /// A partition without a majority of the expected votes that may commit anyway (two_node's
    /// one of two, or no-quorum-policy=ignore) may face another that does too, until one fences
    /// the other: both would commit, and the fenced side's commit, back with a newer term, would
    /// replace the survivor's acknowledged one (simulator, seed 18 with two nodes). With fencing
    /// on, such a DC commits only once every node outside its partition is fenced (or left
    /// cleanly), as it recovers their resources only then. With fencing off nothing can tell a
    /// dead peer from a cut-off one: there the operator's no-quorum-policy decides alone.
    /// </summary>
    private string? SplitBrainRisk()
    {
        var view = context.View;
        if (view.Votes * 2 > view.ExpectedVotes || context.Config is not { } config) return null;
        var unfenced = rounds.UnfencedLostNodes(config);
        return unfenced.Count == 0 ? null
            : $"this partition has no majority ({view.Votes} of {view.ExpectedVotes} votes), and {string.Join(", ", unfenced)} left without being fenced yet: " +
              "configuration changes wait until it is (the other side could be committing too); nothing was changed; commit again once it is fenced";
    }

    private CommitReply Apply(CommitRequest request)
    {
        if (!context.IsDc) return new CommitReply(request.Id, false, "this node is no longer the DC; try again", null);
        // Whatever no-quorum-policy says (it governs resources): a node that restarted alone in a
        // two-node cluster, never having seen its peer (wait_for_all: no quorum), fenced the peer
        // under no-quorum-policy=ignore and committed over a configuration only the peer held,
        // which the peer had confirmed (simulator, two nodes, seed 900472 of a long run).
        if (!context.View.Quorate && !context.Has(ControllerMutation.CommitWithoutQuorum))
            return new CommitReply(request.Id, false,
                $"the cluster partition has no quorum ({context.View.Votes} of {context.View.ExpectedVotes} votes): configuration changes need quorum, whatever no-quorum-policy says; nothing was changed", null);
        if (SplitBrainRisk() is { } risk) return new CommitReply(request.Id, false, risk, null);
        var parsed = CibXmlReader.Parse(request.ConfigurationXml, "commit");
        if (parsed.Config is null || parsed.HasErrors)
            return new CommitReply(request.Id, false, "the configuration does not parse: " + string.Join("; ", parsed.Errors), null);
        var errors = ConfigValidator.Validate(parsed.Config).Where(d => d.IsError).ToList();
        if (errors.Count > 0) return new CommitReply(request.Id, false, string.Join("\n", errors.Select(e => e.Message)), null);
        if (!request.Force && request.BaseVersion != cib.Version.ToString())
            return new CommitReply(request.Id, false, $"{StaleBase.Words} (it was {request.BaseVersion}, it is {cib.Version}); reload and edit again, or --force", null);
        // The next epoch, with this DC's node id as num_updates: two DCs that commit at once (a
        // two_node split brain, no-quorum-policy=ignore, or a view not yet agreed everywhere) then
        // never give one version two contents (found by the simulator with two nodes). And a DC's
        // first commit of its term starts the term's band of epochs: see BecameDc.
        var seen = cib.Version.Epoch / TermStride;
        var epoch = term > seen ? term * TermStride + 1 : cib.Version.Epoch + 1;
        var next = new CibVersion(cib.Version.AdminEpoch, epoch, context.SelfId);
        var xml = CibXmlWriter.Write(parsed.Config, next.Epoch, next.AdminEpoch, next.NumUpdates,
            new CibChange(context.Now.Wall, request.User, "hacrm", request.Origin));
        if (chain.Count == 0 || chain[^1] != cib.Version) chain.Clear();
        chain.Add(next);
        // Bounded: only recent commits are ever still waiting for confirmation.
        if (chain.Count > 1024) chain.RemoveAt(0);
        cib.Replace(next, System.Text.Encoding.UTF8.GetBytes(xml));
        context.Info($"configuration {next} committed");
        configurationChanged();
        // Sent on at once: the commit is answered only once other members hold it.
        cib.Push();
        return new CommitReply(request.Id, true, null, next.ToString());
    }
}
