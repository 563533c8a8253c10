using System.Net;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Control;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Control;

/// <summary>
/// The controller as a state machine, one event at a time (no network, no clock): the rules the
/// whole-cluster simulator found broken, pinned one by one.
/// </summary>
public sealed class ControllerTests
{
    private static readonly DateTimeOffset Wall = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static ClusterBootstrap Bootstrap(int nodes) => new()
    {
        ClusterName = "t",
        Nodes = Enumerable.Range(1, nodes).Select(i => new NodeEntry($"node{i}", i, [IPAddress.Parse($"127.0.0.{10 + i}")])).ToList(),
        Rings = [new RingConfig(RingKind.Unicast, 5405)],
        Quorum = new QuorumConfig(nodes, false, false),
    };

    private static byte[] Cib(string crm, CibVersion v) =>
        System.Text.Encoding.UTF8.GetBytes(CibXmlWriter.Write(CrmParser.Parse(crm).Config!, v.Epoch, v.AdminEpoch, v.NumUpdates));

    private static Moment At(double seconds) => new(TimeSpan.FromSeconds(seconds), Wall + TimeSpan.FromSeconds(seconds));

    private static MembershipView View(int self, int[] members, bool quorate, int expected = 3) =>
        new(1, members, true, true, self, quorate, members.Length, expected);

    private const string Config = "property stonith-enabled=false\nprimitive a ocf:heartbeat:Dummy\n";

    private static string NewConfigXml() => CibXmlWriter.Write(CrmParser.Parse(Config + "primitive b ocf:heartbeat:Dummy\n").Config!);

    [Fact]
    public void A_DC_without_quorum_refuses_a_commit_and_changes_nothing()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(3), 1, version, Cib(Config, version));
        controller.Step(At(0), new MembershipChanged(View(1, [1], quorate: false), new Dictionary<int, CibVersion>()));
        var commands = controller.Step(At(1), new CommitRequested(7, NewConfigXml(), version.ToString(), false, "root"));
        var answer = Assert.Single(commands.OfType<RequestAnswered>());
        Assert.False(answer.Ok);
        Assert.Contains("quorum", answer.Error);
        Assert.DoesNotContain(commands, c => c is StoreCib);
        Assert.Equal(version, controller.CibVersion);
    }

    [Fact]
    public void A_commit_is_confirmed_only_once_a_quorum_holds_it_even_when_the_members_that_lack_it_left()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(5), 1, version, Cib(Config, version));
        var opened = controller.Step(At(0), new MembershipChanged(View(1, [1, 2, 3], quorate: true, expected: 5), new Dictionary<int, CibVersion> { [2] = version, [3] = version }));
        var request = opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>().First();
        // A DC commits once every member has answered its round (it then knows every term they
        // know, and they know its term: members learn it from the request).
        var early = controller.Step(At(0.1), new CommitRequested(6, NewConfigXml(), version.ToString(), false, "root"));
        Assert.DoesNotContain(early, c => c is StoreCib);
        var stored = new[] { 2, 3 }.SelectMany(m => controller.Step(At(0.2), new MessageReceived(m,
            new ReportMessage(new NodeReport($"node{m}", request.Round, true, [], [], version.ToString(), Term: request.Term, TermHolders: request.TermHolders))))).ToList();
        // The queued commit is applied now, as the first epoch of this DC's term, with its node id.
        var next = Assert.Single(stored.OfType<StoreCib>()).Version;
        Assert.Equal(new CibVersion(0, 1001, 1), next);
        Assert.DoesNotContain(stored, c => c is RequestAnswered);
        // (One based on the version before it is refused.)
        Assert.Contains(controller.Step(At(1), new CommitRequested(7, NewConfigXml(), version.ToString(), false, "root")), c => c is RequestAnswered { RequestId: 7, Ok: false });
        // Two members leave before taking the copy: "every member holds it" would now be true of
        // the DC alone, but one node of five is no quorum.
        var after = controller.Step(At(2), new MembershipChanged(View(1, [1], quorate: false, expected: 5), new Dictionary<int, CibVersion>()));
        Assert.DoesNotContain(after, c => c is RequestAnswered);
        var timedOut = controller.Step(At(1 + CommitProtocol.ConfirmationWait.TotalSeconds + 1), new Tick());
        var answer = Assert.Single(timedOut.OfType<RequestAnswered>());
        Assert.Equal(6, answer.RequestId);
        Assert.False(answer.Ok);
        Assert.Contains("may be lost", answer.Error);
        Assert.Equal(next, controller.CibVersion);
    }

    /// <summary>Found by the simulator (a one-way partition cut the DC off; the majority's confirmed commit was lost to the old DC's unconfirmed one when it healed).</summary>
    [Fact]
    public void A_DC_that_took_over_numbers_its_commits_above_the_term_of_the_DC_it_replaced()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(3), 2, version, Cib(Config, version));
        // node3 is DC (term 1) and asks node2 for its resources.
        controller.Step(At(0), new MembershipChanged(new MembershipView(1, [1, 2, 3], true, true, 3, true, 3, 3), new Dictionary<int, CibVersion> { [1] = version, [3] = version }));
        controller.Step(At(0.1), new MessageReceived(3, new ReportRequest(1, Term: 1)));
        // node3 is cut off; node2 takes over with node1.
        var opened = controller.Step(At(1), new MembershipChanged(new MembershipView(2, [1, 2], true, true, 2, true, 2, 3), new Dictionary<int, CibVersion> { [1] = version }));
        var request = Assert.Single(opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>());
        Assert.Equal(2, request.Term);
        controller.Step(At(1.1), new MessageReceived(1, new ReportMessage(new NodeReport("node1", request.Round, true, [], [], version.ToString(), Term: request.Term, TermHolders: request.TermHolders))));
        var stored = controller.Step(At(1.2), new CommitRequested(1, NewConfigXml(), version.ToString(), false, "root"));
        // node3 could at most have stored 0.1001.3 (its term 1); node2's commit outranks it.
        Assert.Equal(new CibVersion(0, 2001, 2), Assert.Single(stored.OfType<StoreCib>()).Version);
    }

    [Fact]
    public void Two_DCs_that_took_the_same_term_at_once_do_not_both_number_versions_in_it()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(3), 2, version, Cib(Config, version));
        var opened = controller.Step(At(0), new MembershipChanged(new MembershipView(1, [1, 2], true, true, 2, true, 2, 3), new Dictionary<int, CibVersion> { [1] = version }));
        var request = Assert.Single(opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>());
        Assert.Equal(1, request.Term);
        // node1 answers: it knows term 1 from this DC, and from node3, which took term 1 too.
        controller.Step(At(0.1), new MessageReceived(1, new ReportMessage(new NodeReport("node1", request.Round, true, [], [], version.ToString(), Term: 1, TermHolders: [2, 3]))));
        var asked = controller.Step(At(0.2), new CommitRequested(1, NewConfigXml(), version.ToString(), false, "root"));
        Assert.DoesNotContain(asked, c => c is StoreCib);
        // This DC moves to term 2 and tells node1 before it numbers anything in it.
        var told = Assert.Single(asked.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>());
        Assert.Equal(2, told.Term);
        Assert.Equal([2], told.TermHolders!);
        var stored = controller.Step(At(0.3), new MessageReceived(1, new ReportMessage(new NodeReport("node1", told.Round, true, [], [], version.ToString(), Term: 2, TermHolders: [2]))));
        Assert.Equal(new CibVersion(0, 2001, 2), Assert.Single(stored.OfType<StoreCib>()).Version);
    }

    private const string Watchdog = "property stonith-enabled=true stonith-watchdog-timeout=6s\nprimitive a ocf:heartbeat:Dummy\n";

    private static NodeReport RunningA(CibVersion version) => new("node1", -1, true,
        [new HistoryDto("a", "ocf", "heartbeat", "Dummy", [new OperationDto("a_last_0", "start", 0, 0, 0, 0, 4, 17, null, "d")])], [], version.ToString());

    [Fact]
    public void A_node_cut_off_from_quorum_with_resources_still_active_resets_itself_after_half_the_watchdog_timeout()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(3), 1, version, Cib(Watchdog, version));
        controller.Step(At(0), new LocalStateChanged(RunningA(version)));
        controller.Step(At(0.1), new MembershipChanged(View(1, [1, 2, 3], quorate: true), new Dictionary<int, CibVersion> { [2] = version, [3] = version }));
        controller.Step(At(1), new MembershipChanged(View(1, [1], quorate: false), new Dictionary<int, CibVersion>()));
        Assert.DoesNotContain(controller.Step(At(3.9), new Tick()), c => c is SelfFence);
        var reset = Assert.Single(controller.Step(At(4.1), new Tick()).OfType<SelfFence>());
        Assert.Contains("a still active", reset.Reason);
        // Once is enough.
        Assert.DoesNotContain(controller.Step(At(5), new Tick()), c => c is SelfFence);
    }

    [Fact]
    public void A_node_that_stopped_everything_or_got_quorum_back_in_time_does_not_reset_itself()
    {
        var version = new CibVersion(0, 4, 0);
        var stopped = new Controller(Bootstrap(3), 1, version, Cib(Watchdog, version));
        stopped.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], version.ToString())));
        stopped.Step(At(1), new MembershipChanged(View(1, [1], quorate: false), new Dictionary<int, CibVersion>()));
        Assert.DoesNotContain(stopped.Step(At(10), new Tick()), c => c is SelfFence);

        var healed = new Controller(Bootstrap(3), 1, version, Cib(Watchdog, version));
        healed.Step(At(0), new LocalStateChanged(RunningA(version)));
        healed.Step(At(1), new MembershipChanged(View(1, [1], quorate: false), new Dictionary<int, CibVersion>()));
        healed.Step(At(3), new MembershipChanged(View(1, [1, 2], quorate: true), new Dictionary<int, CibVersion> { [2] = version }));
        Assert.DoesNotContain(healed.Step(At(10), new Tick()), c => c is SelfFence);
    }

    [Fact]
    public void Without_a_device_the_DC_takes_a_lost_node_for_fenced_once_the_watchdog_timeout_has_passed()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(3), 1, version, Cib(Watchdog, version));
        controller.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], version.ToString())));
        var opened = controller.Step(At(0.1), new MembershipChanged(View(1, [1, 2, 3], quorate: true), new Dictionary<int, CibVersion> { [2] = version, [3] = version }));
        var request = opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>().First();
        foreach (var m in new[] { 2, 3 })
            controller.Step(At(0.2), new MessageReceived(m, new ReportMessage(new NodeReport($"node{m}", request.Round, true,
                m == 3 ? [new HistoryDto("a", "ocf", "heartbeat", "Dummy", [new OperationDto("a_last_0", "start", 0, 0, 0, 0, 4, 17, null, "d")])] : [], [], version.ToString(),
                Term: request.Term, TermHolders: request.TermHolders))));
        // node3, which runs a, is lost.
        var lost = controller.Step(At(1), new MembershipChanged(new MembershipView(2, [1, 2], true, true, 1, true, 2, 3), new Dictionary<int, CibVersion> { [2] = version }));
        var round = lost.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>().First();
        var planned = controller.Step(At(1.1), new MessageReceived(2, new ReportMessage(new NodeReport("node2", round.Round, true, [], [], version.ToString(), Term: round.Term, TermHolders: round.TermHolders))));
        Assert.Contains(Assert.Single(planned.OfType<TransitionStarted>()).Graph.Actions, a => a.Task == "reboot" && a.Node == "node3");
        // Nothing starts a elsewhere before node3's watchdog has had its time.
        Assert.DoesNotContain(controller.Step(At(6.9), new Tick()), c => c is RunOperation or SendMessage { Message: ExecuteMessage });
        var after = controller.Step(At(7.1), new Tick()).Concat(controller.Step(At(7.2), new Tick())).Concat(controller.Step(At(8.5), new Tick())).ToList();
        Assert.Contains(after, c => c is RunOperation { Request: { Resource: "a", Task: "start" } } || c is SendMessage { Message: ExecuteMessage { Request: { Resource: "a", Task: "start" } } });
        Assert.Contains(controller.FencingHistory, e => e is { Target: "node3", Device: "watchdog", Ok: true });
    }

    /// <summary>Simulator, seed 1102859: an action of an abandoned transition, resent to a node fenced and started again, ran there next to the copy started elsewhere.</summary>
    [Fact]
    public void A_member_runs_only_actions_planned_in_the_round_it_last_answered()
    {
        var version = new CibVersion(0, 4, 0);
        var member = new Controller(Bootstrap(3), 2, version, Cib(Config, version));
        member.Step(At(0), new MembershipChanged(View(1, [1, 2, 3], quorate: true), new Dictionary<int, CibVersion> { [1] = version, [3] = version }));
        var start = new ExecuteRequest(3, 1, "a", "start", 0, null, DcIncarnation: 7, Round: 3);
        // Not asked for its resources since it started: nothing runs.
        Assert.DoesNotContain(member.Step(At(0.1), new MessageReceived(1, new ExecuteMessage(start))), c => c is RunOperation);
        member.Step(At(0.2), new MessageReceived(1, new ReportRequest(5, 1, [1])));
        Assert.DoesNotContain(member.Step(At(0.3), new MessageReceived(1, new ExecuteMessage(start))), c => c is RunOperation);
        Assert.Contains(member.Step(At(0.4), new MessageReceived(1, new ExecuteMessage(start with { Round = 5 }))), c => c is RunOperation);
    }

    /// <summary>Simulator, seed 1218618: a DC back from a partition committed on top of its old configuration and a confirmed commit of the majority was lost.</summary>
    [Fact]
    public void A_DC_does_not_commit_until_it_holds_the_newest_configuration_any_member_holds()
    {
        var old = new CibVersion(0, 1001, 1);
        var newer = new CibVersion(0, 2001, 2);
        var dc = new Controller(Bootstrap(3), 1, old, Cib(Config, old));
        dc.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], old.ToString())));
        var opened = dc.Step(At(0.1), new MembershipChanged(View(1, [1, 2, 3], quorate: true), new Dictionary<int, CibVersion> { [2] = newer, [3] = newer }));
        var request = opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>().First();
        foreach (var m in new[] { 2, 3 })
            dc.Step(At(0.2), new MessageReceived(m, new ReportMessage(new NodeReport($"node{m}", request.Round, true, [], [], newer.ToString(), Term: request.Term, TermHolders: request.TermHolders))));
        // A commit based on the DC's old configuration waits: it stores nothing.
        var asked = dc.Step(At(0.3), new CommitRequested(9, NewConfigXml(), old.ToString(), false, "root"));
        Assert.DoesNotContain(asked, c => c is StoreCib { Version.Epoch: > 2001 });
        Assert.DoesNotContain(asked, c => c is RequestAnswered);
        // The newer configuration arrives; the commit is refused as based on an old version.
        var adopted = dc.Step(At(0.4), new MessageReceived(2, new CibCopyMessage(newer, Cib(Config, newer))));
        Assert.Contains(adopted, c => c is StoreCib s && s.Version == newer);
        var answered = adopted.Concat(dc.Step(At(0.5), new Tick())).OfType<RequestAnswered>().Single();
        Assert.False(answered.Ok);
        Assert.Contains("changed since the edit began", answered.Error);
        Assert.Equal(newer, dc.CibVersion);
    }

    /// <summary>Simulator, two nodes, seed 1400845: a commit held only by a node that died was overwritten by its peer's next commit.</summary>
    [Fact]
    public void A_DC_refuses_to_commit_over_a_newer_configuration_a_node_that_left_was_holding_unless_forced()
    {
        var old = new CibVersion(0, 1001, 1);
        var newer = new CibVersion(0, 1002, 2);
        var dc = new Controller(Bootstrap(3), 1, old, Cib(Config, old));
        dc.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], old.ToString())));
        // node2 advertises a newer CIB, then leaves before passing it on.
        dc.Step(At(0.1), new MembershipChanged(View(1, [1, 2, 3], quorate: true), new Dictionary<int, CibVersion> { [2] = newer, [3] = old }));
        var opened = dc.Step(At(0.2), new MembershipChanged(new MembershipView(2, [1, 3], true, true, 1, true, 2, 3), new Dictionary<int, CibVersion> { [3] = old }));
        var request = opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>().First();
        dc.Step(At(0.3), new MessageReceived(3, new ReportMessage(new NodeReport("node3", request.Round, true, [], [], old.ToString(), Term: request.Term, TermHolders: request.TermHolders))));
        var refused = Assert.Single(dc.Step(At(0.4), new CommitRequested(5, NewConfigXml(), old.ToString(), false, "root")).OfType<RequestAnswered>());
        Assert.False(refused.Ok);
        Assert.Contains("node2 held CIB 0.1002.2", refused.Error);
        Assert.Equal(old, dc.CibVersion);
        // The operator goes on without it.
        var forced = dc.Step(At(0.5), new CommitRequested(6, NewConfigXml(), old.ToString(), true, "root"));
        Assert.Contains(forced, c => c is StoreCib);
    }

    /// <summary>Simulator, seed 830779: a start's report, taken before a probe pass ended, arrived after it and undid it; the DC waited for that probe forever.</summary>
    [Fact]
    public void An_older_report_of_this_node_arriving_late_does_not_replace_a_newer_one()
    {
        var old = new CibVersion(0, 4, 0);
        var current = new CibVersion(0, 5, 0);
        var member = new Controller(Bootstrap(3), 2, current, Cib(Config, current));
        member.Step(At(0), new MembershipChanged(View(1, [1, 2, 3], quorate: true), new Dictionary<int, CibVersion> { [1] = current, [3] = current }));
        member.Step(At(0.1), new LocalStateChanged(new NodeReport("node2", -1, true, [], [], current.ToString(), Revision: 7)));
        member.Step(At(0.2), new LocalStateChanged(new NodeReport("node2", -1, true, [], [], old.ToString(), Revision: 6)));
        var answered = member.Step(At(0.3), new MessageReceived(1, new ReportRequest(1, Term: 1, TermHolders: [1])));
        var report = answered.OfType<SendMessage>().Select(m => m.Message).OfType<ReportMessage>().Last().Report;
        Assert.Equal(current.ToString(), report.ProbedConfiguration);
        Assert.Equal(7, report.Revision);
    }

    /// <summary>Fault campaign, seed 66: a node that came back for a moment while its fencing ran was fenced a second time when declared dead again.</summary>
    [Fact]
    public void A_node_fenced_while_the_view_still_counted_it_is_not_fenced_again_when_it_drops_out()
    {
        const string fenced = "property stonith-enabled=true\nprimitive fence stonith:fence_sim\n";
        var version = new CibVersion(0, 4, 0);
        var dc = new Controller(Bootstrap(3), 1, version, Cib(fenced, version));
        var local = new NodeReport("node1", -1, true, [new HistoryDto("fence", "stonith", null, "fence_sim", [new OperationDto("fence_last_0", "start", 0, 0, 0, 0, 4, 17, null, "d")])], [], version.ToString());
        dc.Step(At(0), new LocalStateChanged(local));
        // Whatever else the DC runs itself (the device's restarts and monitors) ends at once.
        void Settle(double at, List<ControllerCommand> commands)
        {
            var others = new Queue<RunOperation>(commands.OfType<RunOperation>().Where(r => r.Request.Target is null));
            while (others.TryDequeue(out var run))
                foreach (var next in dc.Step(At(at + 0.02), new OperationFinished(run.Request.Answer(0, true, null, "node1"), 1, local)))
                {
                    commands.Add(next);
                    if (next is RunOperation { Request.Target: null } more) others.Enqueue(more);
                }
        }
        List<ControllerCommand> Answer(double at, long epoch, int[] members)
        {
            var versions = members.Where(m => m != 1).ToDictionary(m => m, _ => version);
            var opened = dc.Step(At(at), new MembershipChanged(new MembershipView(epoch, members, true, true, 1, true, members.Length, 3), versions));
            var request = opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>().First();
            var planned = members.Where(m => m != 1).SelectMany(m => dc.Step(At(at + 0.01), new MessageReceived(m, new ReportMessage(new NodeReport($"node{m}", request.Round, true, [], [], version.ToString(),
                Term: request.Term, TermHolders: request.TermHolders))))).ToList();
            Settle(at, planned);
            return planned;
        }
        Answer(0.1, 1, [1, 2, 3]);
        // node3 is lost: the DC fences it.
        var lost = Answer(1, 2, [1, 2]);
        var fence = Assert.Single(lost.OfType<RunOperation>(), r => r.Request.Target == "node3");
        // It is heard again for a moment while the fencing runs (the membership has not seen it go), then the fencing ends.
        Answer(1.2, 3, [1, 2, 3]);
        Settle(1.3, dc.Step(At(1.3), new OperationFinished(fence.Request.Answer(0, true, null, "node1"), 1, local)).ToList());
        Settle(1.4, dc.Step(At(1.4), new Tick()).ToList());
        // Declared dead again: it is down already, nothing fences it again.
        var again = Answer(2, 4, [1, 2]);
        Assert.DoesNotContain(again, c => c is RunOperation { Request.Target: "node3" });
        Assert.DoesNotContain(again, c => c is TransitionStarted t && t.Graph.Actions.Any(a => a.Task is "reboot" or "off" && a.Node == "node3"));
    }

    /// <summary>Pacemaker's startup-fencing, found missing by the simulator (seed 32882: a node whose daemon died while the DC restarted kept its VIP running).</summary>
    [Fact]
    public void A_node_the_DC_has_never_seen_is_fenced_before_anything_starts()
    {
        const string fenced = "property stonith-enabled=true\nprimitive fence stonith:fence_sim\nprimitive a ocf:heartbeat:Dummy\n";
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(3), 1, version, Cib(fenced, version));
        controller.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], version.ToString())));
        var opened = controller.Step(At(0.1), new MembershipChanged(View(1, [1, 2], true), new Dictionary<int, CibVersion> { [2] = version }));
        var round = Assert.Single(opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>()).Round;
        var planned = controller.Step(At(0.2), new MessageReceived(2, new ReportMessage(new NodeReport("node2", round, true, [], [], version.ToString()))));
        var graph = Assert.Single(planned.OfType<TransitionStarted>()).Graph;
        Assert.Contains(graph.Actions, a => a.Resource is null && a.Node == "node3" && a.Task is "reboot" or "off");
    }

    [Fact]
    public void A_commit_superseded_by_another_DCs_configuration_is_answered_as_not_kept()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(3), 1, version, Cib(Config, version));
        var opened = controller.Step(At(0), new MembershipChanged(View(1, [1, 2], true), new Dictionary<int, CibVersion> { [2] = version }));
        var request = opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>().First();
        controller.Step(At(0.1), new MessageReceived(2, new ReportMessage(new NodeReport("node2", request.Round, true, [], [], version.ToString(), Term: request.Term, TermHolders: request.TermHolders))));
        Assert.Contains(controller.Step(At(0.2), new CommitRequested(5, NewConfigXml(), version.ToString(), false, "root")), c => c is StoreCib);
        // Before node2 holds it, a healed partition brings a newer CIB of another lineage.
        var other = new CibVersion(0, 2001, 3);
        controller.Step(At(0.3), new MessageReceived(3, new CibCopyMessage(other, Cib(Config, other))));
        var answers = controller.Step(At(0.4), new MembershipChanged(View(1, [1, 2, 3], true), new Dictionary<int, CibVersion> { [2] = other, [3] = other }));
        var answer = Assert.Single(answers.OfType<RequestAnswered>());
        Assert.False(answer.Ok);
        Assert.Contains("superseded", answer.Error);
    }

    /// <summary>
    /// Found by the simulator: a round's answer that arrived while the DC's view was, for a
    /// heartbeat, not agreed was dropped and the DC waited for it forever (seed 3); and a DC that
    /// was paused, replaced and came back planned from its old reports (seed 6331). A DC that was
    /// not DC for a moment opens a new round when it is again, and schedules once it is answered.
    /// </summary>
    [Fact]
    public void A_DC_whose_view_was_for_a_moment_not_agreed_asks_every_member_again_before_it_plans()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(2), 1, version, Cib(Config, version));
        controller.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], version.ToString())));
        var opened = controller.Step(At(0.1), new MembershipChanged(View(1, [1, 2], true, 2), new Dictionary<int, CibVersion> { [2] = version }));
        var first = Assert.Single(opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>());
        controller.Step(At(0.2), new MembershipChanged(View(1, [1, 2], true, 2) with { Agreed = false }, new Dictionary<int, CibVersion> { [2] = version }));
        controller.Step(At(0.3), new MessageReceived(2, new ReportMessage(new NodeReport("node2", first.Round, true, [], [], version.ToString()))));
        var agreed = controller.Step(At(0.4), new MembershipChanged(View(1, [1, 2], true, 2), new Dictionary<int, CibVersion> { [2] = version }));
        var again = Assert.Single(agreed.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>());
        Assert.True(again.Round > first.Round);
        Assert.DoesNotContain(agreed, c => c is TransitionStarted or RecordSchedulerInput);
        var planned = controller.Step(At(0.5), new MessageReceived(2, new ReportMessage(new NodeReport("node2", again.Round, true, [], [], version.ToString()))));
        Assert.Contains(planned, c => c is TransitionStarted or RecordSchedulerInput);
    }

    [Fact]
    public void The_DC_plans_nothing_while_an_action_still_runs_on_a_member()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(2), 1, version, Cib(Config, version));
        controller.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], version.ToString())));
        var opened = controller.Step(At(0.1), new MembershipChanged(View(1, [1, 2], true, 2), new Dictionary<int, CibVersion> { [2] = version }));
        var round = Assert.Single(opened.OfType<SendMessage>().Select(m => m.Message).OfType<ReportRequest>()).Round;
        var busy = controller.Step(At(0.2), new MessageReceived(2, new ReportMessage(new NodeReport("node2", round, true, [], [], version.ToString(), Pending: 1))));
        Assert.DoesNotContain(busy, c => c is TransitionStarted or RecordSchedulerInput);
        var idle = controller.Step(At(0.3), new MessageReceived(2, new ReportMessage(new NodeReport("node2", -1, true, [], [], version.ToString()))));
        Assert.Contains(idle, c => c is RecordSchedulerInput);
    }

    [Fact]
    public void A_node_that_is_no_longer_the_DC_sends_no_more_actions_of_its_transition()
    {
        var version = new CibVersion(0, 4, 0);
        var controller = new Controller(Bootstrap(2), 1, version, Cib(Config, version));
        controller.Step(At(0), new LocalStateChanged(new NodeReport("node1", -1, true, [], [], version.ToString())));
        // Alone but two_node-less quorum of one of one expected: it is DC and starts a.
        var view = new MembershipView(1, [1], true, true, 1, true, 1, 1);
        var started = controller.Step(At(0.1), new MembershipChanged(view, new Dictionary<int, CibVersion>()));
        var run = Assert.Single(started.OfType<RunOperation>());
        // node2 (older) joins and becomes DC; then a's start ends here.
        controller.Step(At(0.2), new MembershipChanged(new MembershipView(2, [1, 2], true, true, 2, true, 2, 1), new Dictionary<int, CibVersion> { [2] = version }));
        Assert.False(controller.TransitionRunning);
        var finished = controller.Step(At(0.3), new OperationFinished(new ExecuteResult(run.Request.Transition, run.Request.Action, "a", "start", 0, 0, true, null),
            1, new NodeReport("node1", -1, true, [], [], version.ToString())));
        Assert.DoesNotContain(finished, c => c is RunOperation || c is SendMessage { Message: ExecuteMessage });
        // ...and tells the DC that nothing runs here any more.
        Assert.Contains(finished, c => c is SendMessage { To: 2, Message: ReportMessage { Report.Pending: 0 } });
    }

    [Fact]
    public void A_two_node_DC_alone_commits_only_once_its_peer_is_fenced()
    {
        var version = new CibVersion(0, 4, 0);
        var bootstrap = Bootstrap(2) with { Quorum = new QuorumConfig(2, true, true) };
        const string fenced = "primitive a ocf:heartbeat:Dummy\nprimitive f stonith:fence_dummy\n";
        var controller = new Controller(bootstrap, 1, version, Cib(fenced, version));
        var peers = new Dictionary<int, CibVersion> { [2] = version };
        controller.Step(At(0), new MembershipChanged(new MembershipView(1, [1, 2], true, true, 1, true, 2, 2), peers));
        // node2 is cut off: this half has quorum by two_node, and so may the other.
        controller.Step(At(1), new MembershipChanged(new MembershipView(2, [1], true, true, 1, true, 1, 2), new Dictionary<int, CibVersion>()));
        var xml = CibXmlWriter.Write(CrmParser.Parse(fenced + "primitive b ocf:heartbeat:Dummy\n").Config!);
        var answer = Assert.Single(controller.Step(At(1.1), new CommitRequested(8, xml, version.ToString(), false, "root")).OfType<RequestAnswered>());
        Assert.False(answer.Ok);
        Assert.Contains("node2", answer.Error);
        Assert.Contains("fenced", answer.Error);
        Assert.Equal(version, controller.CibVersion);
    }

    [Fact]
    public void A_result_for_a_former_DC_of_the_same_node_does_not_complete_the_new_DCs_action()
    {
        var version = new CibVersion(0, 4, 0);
        // The node restarted: this start is incarnation 200; its former self (100) left a
        // transition 1 running, whose action 1 is answered now.
        var controller = new Controller(Bootstrap(2), 1, version, Cib(Config, version), incarnation: 200);
        var here = new NodeReport("node1", -1, true, [], [], version.ToString());
        controller.Step(At(0), new LocalStateChanged(here));
        var started = controller.Step(At(0.1), new MembershipChanged(new MembershipView(1, [1], true, true, 1, true, 1, 1), new Dictionary<int, CibVersion>()));
        var run = Assert.Single(started.OfType<RunOperation>());
        Assert.Equal(200, run.Request.DcIncarnation);
        var stale = run.Request.Answer(0, true, null) with { DcIncarnation = 100 };
        controller.Step(At(0.2), new OperationFinished(stale, 1, here));
        Assert.True(controller.TransitionRunning);
        // The same key for another action (a different task) is no answer either.
        controller.Step(At(0.3), new OperationFinished(run.Request.Answer(0, true, null) with { Task = "stop" }, 1, here));
        Assert.True(controller.TransitionRunning);
        controller.Step(At(0.4), new OperationFinished(run.Request.Answer(0, true, null), 1, here));
        Assert.False(controller.TransitionRunning);
    }

    [Fact]
    public void A_probe_pass_that_ends_late_never_rolls_the_probed_configuration_back()
    {
        var book = new ResourceHistoryBook("node1");
        book.MarkProbed("0.5.0");
        book.MarkProbed("0.4.0");
        Assert.Equal("0.5.0", book.ProbedConfiguration);
    }

    [Fact]
    public void A_resource_whose_recurring_monitor_found_it_gone_is_not_counted_as_active()
    {
        var book = new ResourceHistoryBook("node1");
        var dummy = new HaCluster.Core.Cib.AgentSpec("ocf", "heartbeat", "Dummy");
        book.Record(dummy, "vm", "migrate_from", 0, 0, 0, true, null, null, Wall);
        Assert.Equal(["vm"], book.ActiveResources());
        book.Record(dummy, "vm", "monitor", 10_000, 7, 0, false, "not running", null, Wall);
        Assert.Empty(book.ActiveResources());
        book.Record(dummy, "vm", "stop", 0, 1, 0, false, "Timed Out", null, Wall);
        Assert.Equal(["vm"], book.ActiveResources());
    }

    [Fact]
    public void A_node_restarted_with_its_clock_set_back_still_gets_a_higher_incarnation()
    {
        var before = Incarnation.Next(Wall, null);
        var after = Incarnation.Next(Wall - TimeSpan.FromHours(1), before);
        Assert.True(after > before);
        Assert.Equal(Incarnation.Next(Wall + TimeSpan.FromSeconds(1), before), (Wall + TimeSpan.FromSeconds(1)).ToUnixTimeMilliseconds() * 1000);
    }

    [Fact]
    public void Every_controller_message_survives_its_wire_encoding()
    {
        var report = new NodeReport("node2", 3, true, [new HistoryDto("a", "ocf", "heartbeat", "Dummy", [new OperationDto("a_last_0", "start", 0, 0, 0, 0, 4, 17, null, "d")])],
            new Dictionary<string, string> { ["x"] = "1" }, "0.4.0", false, 2);
        ControllerMessage[] messages =
        [
            new ReportRequest(3), new ReportMessage(report), new ExecuteMessage(new ExecuteRequest(1, 2, "a", "start", 0, null, DcIncarnation: 17)),
            new ResultMessage(new ExecuteResult(1, 2, "a", "start", 0, 0, true, null, DcIncarnation: 17)), new StatusPictureMessage("<cib/>"),
            new CommitMessage(new CommitRequest(5, "<cib/>", "0.4.0", false)), new CommitResultMessage(new CommitReply(5, true, null, "0.5.0")),
            new CleanupMessage("a"), new AttributeMessage(new AttributeChange("node2", "x", null)),
            new FencedMessage(new Api.FenceEventReply("node3", "reboot", true, "fence", "node1", "node1", 17)),
        ];
        foreach (var m in messages)
        {
            var back = ControllerMessage.Decode(m.Encode());
            Assert.NotNull(back);
            Assert.Equal(m.GetType(), back!.GetType());
            Assert.Equal(System.Text.Encoding.UTF8.GetString(m.Encode()), System.Text.Encoding.UTF8.GetString(back.Encode()));
        }
        var copy = (CibCopyMessage)ControllerMessage.Decode(new CibCopyMessage(new CibVersion(0, 5, 0), [1, 2, 3]).Encode())!;
        Assert.Equal(new CibVersion(0, 5, 0), copy.Version);
        Assert.Null(ControllerMessage.Decode([2, (byte)'{']));
        Assert.Null(ControllerMessage.Decode([9, 9]));
    }
    /// <summary>Fuzzing (issue 22): authenticated messages with nulls or gaps no sender writes threw inside the controller.</summary>
    [Fact]
    public void A_message_with_a_null_or_a_gap_no_sender_writes_does_not_decode()
    {
        static byte[] Json(string json) => [ControllerMessage.Kind, .. System.Text.Encoding.UTF8.GetBytes(json)];
        Assert.Null(ControllerMessage.Decode(Json("""{"type":"report","report":null}""")));
        Assert.Null(ControllerMessage.Decode(Json("""{"type":"commit_result"}""")));
        Assert.Null(ControllerMessage.Decode(Json("""{"type":"cleanup","resource":null}""")));
        Assert.Null(ControllerMessage.Decode(Json("""{"type":"cib_patch","patch":{"base_version":{"admin_epoch":0,"epoch":1,"num_updates":0},"version":{"admin_epoch":0,"epoch":2,"num_updates":0},"sha256":null,"hunks":[]}}"""), out var error));
        Assert.NotNull(error);
        // Nulls inside lists are not the serializer's to refuse: the message's own check does.
        const int round = 1;
        var version = new CibVersion(0, 4, 0);
        var report = ControllerMessage.Decode(Json($$$"""{"type":"report","report":{"node":"node2","view_epoch":{{{round}}},"probed":true,"histories":[null],"attributes":{},"probed_configuration":"{{{version}}}","shutting_down":false,"pending":0,"term":0,"term_holders":null,"revision":0}}"""));
        Assert.Null(report);
        var good = ControllerMessage.Decode(Json($$$"""{"type":"report","report":{"node":"node2","view_epoch":{{{round}}},"probed":true,"histories":[],"attributes":{},"probed_configuration":"{{{version}}}","shutting_down":false,"pending":0,"term":0,"term_holders":null,"revision":0}}"""));
        Assert.NotNull(good);
    }
}
