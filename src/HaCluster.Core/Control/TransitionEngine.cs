using HaCluster.Core.Policy;

namespace HaCluster.Core.Control;

/// <summary>
/// Runs one transition at a time on the DC: each action is sent to its node when all its inputs
/// are done (a pseudo-action completes at once; a fencing goes to a member that runs a fencing
/// device); an unexpected result aborts the transition (actions in flight finish) and the
/// scheduler runs again on the new facts. A transition with no result for
/// <see cref="ActionDeadline"/> is given up.
/// </summary>
internal sealed class TransitionEngine(ControllerContext context, FencingBook fencing, WatchdogFencing watchdog)
{
    /// <summary>Fencing actions that wait for the victim's watchdog (no device reaches it): when each counts as done.</summary>
    private readonly List<(long Transition, int Action, string Victim, string Task, TimeSpan Due)> watchdogFencings = new();

    /// <summary>How long an action may go without any result before the transition is given up.</summary>
    public static readonly TimeSpan ActionDeadline = TimeSpan.FromSeconds(120);

    private Transition? transition;
    private long counter;
    private string? lastCompletedSummary;
    private TimeSpan lastCompletedAt;
    private bool repeatLogged;

    public bool Running => transition is not null;

    /// <summary>The number of the last transition started (0: none yet).</summary>
    public long LastStarted => counter;

    /// <summary>Times recoveries: the controller tells it of losses, transitions' ends stop it.</summary>
    public RecoveryClock Recovery { get; } = new();

    /// <summary>The view changed: the old transition's facts are gone; results still arriving for it are ignored.</summary>
    public void Abandon(string why)
    {
        if (transition is not null) context.Info($"transition {transition.Id} abandoned: {why}");
        transition = null;
        // New members may make possible what was not (a node that runs the fencing device).
        lastCompletedSummary = null;
    }

    /// <summary>
    /// The watchdog fencings whose time has come, as results of the actions that asked for them
    /// (fed back like a device's answer). One whose victim came back meanwhile is dropped: its
    /// transition was abandoned with the view change.
    /// </summary>
    public List<ExecuteResult> DueWatchdogFencings()
    {
        var due = new List<ExecuteResult>();
        foreach (var w in watchdogFencings.ToList())
        {
            if (transition?.Id != w.Transition) watchdogFencings.Remove(w);
            else if (context.Now.Elapsed >= w.Due)
            {
                // Still heard after the whole timeout: it did not reset; the fencing failed.
                watchdogFencings.Remove(w);
                var gone = !watchdog.IsMember(w.Victim);
                due.Add(new ExecuteResult(w.Transition, w.Action, "watchdog", w.Task, 0, gone ? 0 : 1, gone, gone ? null : $"{w.Victim} is still a member: it did not reset itself",
                    w.Victim, context.SelfName, context.Incarnation));
            }
        }
        return due;
    }

    /// <summary>Gives the transition up when nothing answered for <see cref="ActionDeadline"/>.</summary>
    public void CheckDeadline()
    {
        if (transition is { } t && t.InFlight.Count > 0 && context.Now.Elapsed - t.LastProgress > ActionDeadline)
        {
            context.Warn($"transition {t.Id}: no result for {ActionDeadline.TotalSeconds}s; abandoning it and recomputing");
            transition = null;
        }
    }

    /// <summary>
    /// Starts <paramref name="graph"/>, unless it is empty or the very transition that just
    /// completed (its actions changed nothing the scheduler sees: retried at the next recheck).
    /// Returns true when the transition ended at once (all pseudo) and the caller should schedule again.
    /// </summary>
    public bool Start(TransitionGraph graph, TimeSpan schedulingTime, IReadOnlyDictionary<string, NodeReport> reports, TimeSpan recheck, long round)
    {
        if (graph.Actions.Count == 0) return false;
        var summary = string.Join("\n", graph.SummaryLines());
        if (summary == lastCompletedSummary && context.Now.Elapsed - lastCompletedAt < recheck)
        {
            if (!repeatLogged) context.Error($"transition repeats without effect ({summary.Replace("\n", ";")}); retrying at the next recheck");
            repeatLogged = true;
            return false;
        }
        repeatLogged = false;
        transition = new Transition(++counter, graph.Actions, context.Now.Elapsed) { Summary = summary, Round = round };
        context.Info($"transition {transition.Id} (scheduled in {schedulingTime.TotalMilliseconds:0} ms): {Describe(graph)}");
        context.Emit(new TransitionStarted(transition.Id, graph));
        return Advance(reports);
    }

    /// <summary>
    /// An action's result (possibly of an older transition: only a fencing's matters then, and
    /// the caller records that). Returns true when the transition ended and the caller should schedule again.
    /// </summary>
    public bool Completed(ExecuteResult result, IReadOnlyDictionary<string, NodeReport> reports)
    {
        context.Debug(() => $"transition {result.Transition}: action {result.Action} ({result.Task} {result.Resource}) done on {result.Node ?? "?"}: {(result.Ok ? "ok" : "failed")}");
        if (transition is not { } t || !IsFor(t, result)) return false;
        t.InFlight.Remove(result.Action);
        t.Done.Add(result.Action);
        t.Outcomes[result.Action] = result.Ok ? "ok" : $"failed (rc={result.Rc}{(result.ExitReason is null ? "" : ": " + result.ExitReason)})";
        t.LastProgress = context.Now.Elapsed;
        if (!result.Ok)
        {
            context.Warn($"transition {t.Id}: {result.Resource} {result.Task} failed (rc={result.Rc}{(result.ExitReason is null ? "" : ": " + result.ExitReason)}); aborting, will recompute");
            t.Aborted = true;
        }
        return Advance(reports);
    }

    /// <summary>
    /// The result answers an action of <paramref name="t"/> now in flight: same DC (by incarnation:
    /// every DC numbers its transitions from 1), same transition, same action, and the action
    /// is the one asked for (a last guard, should a key ever repeat).
    /// </summary>
    private bool IsFor(Transition t, ExecuteResult result) =>
        result.DcIncarnation == context.Incarnation && t.Id == result.Transition && t.InFlight.Contains(result.Action)
        && t.Actions[result.Action] is var a && a.Task == result.Task && (a.Resource ?? result.Resource) == result.Resource;

    /// <summary>Sends every action whose inputs are done; returns true when the transition ended (complete or aborted).</summary>
    private bool Advance(IReadOnlyDictionary<string, NodeReport> reports)
    {
        var t = transition!;
        var progressed = true;
        while (progressed && !t.Aborted)
        {
            progressed = false;
            foreach (var a in t.Actions.Values)
            {
                if (t.Done.Contains(a.Id) || t.InFlight.Contains(a.Id) || !a.Inputs.All(t.Done.Contains)) continue;
                if (a.Pseudo)
                {
                    t.Done.Add(a.Id);
                    progressed = true;
                    continue;
                }
                if (Dispatch(t, a, reports) is false) break;
                if (a.Task == "stop" && context.Has(ControllerMutation.StartBeforeStopConfirmed))
                {
                    t.InFlight.Remove(a.Id);
                    t.Done.Add(a.Id);
                    progressed = true;
                }
            }
        }
        if (t.InFlight.Count > 0 || !(t.Aborted || t.Done.Count == t.Actions.Count)) return false;
        context.Info($"transition {t.Id} {(t.Aborted ? "aborted" : "complete")}");
        context.Emit(new TransitionEnded(t.Id, t.Aborted, t.Actions.Count, context.Now.Elapsed - t.Started, Recovery.TransitionEnded(t.Aborted, context.Now.Elapsed))
        {
            Outcomes = t.Actions.Values.Where(a => !a.Pseudo).OrderBy(a => a.Id)
                .Select(a => new ActionOutcome(a.Id, a.ToString(), t.Outcomes.GetValueOrDefault(a.Id) ?? (t.Done.Contains(a.Id) ? "ok" : "not run"))).ToList(),
        });
        // Aborted or complete, the same decision again right away would change nothing (a
        // fencing no member can do, say): it waits for a new round or the recheck instead of
        // spinning. A failure changes the status, hence the decision, and is acted on at once.
        lastCompletedSummary = t.Summary;
        lastCompletedAt = context.Now.Elapsed;
        transition = null;
        return true;
    }

    /// <summary>Sends one action to the node that runs it; false (and the transition aborted) when none can.</summary>
    private bool Dispatch(Transition t, GraphAction a, IReadOnlyDictionary<string, NodeReport> reports)
    {
        ExecuteRequest request;
        int target;
        if (a.Resource is null)
        {
            // Fencing: a member other than the victim that runs a fencing device does it.
            var fencer = fencing.FencerFor(a.Node, reports);
            if (fencer is null && watchdog.FencedBy(a.Node) is { } due)
            {
                WaitForWatchdog(t, a, due);
                return true;
            }
            if (fencer is not { } fencerFound)
            {
                context.Error($"cannot fence {a.Node}: no member runs a fencing device; its resources stay blocked rather than risk two copies");
                t.Aborted = true;
                return false;
            }
            (target, var device) = fencerFound;
            request = new ExecuteRequest(t.Id, a.Id, device, a.Task, 0, null, Target: a.Node, DcIncarnation: context.Incarnation, Round: t.Round);
            context.Warn($"transition {t.Id}: fencing {a.Node} ({a.Task}) through {device} on {context.Name(target)}");
        }
        else
        {
            if (context.IdOf(a.Node) is not { } node)
            {
                t.Aborted = true;
                return false;
            }
            target = node;
            request = new ExecuteRequest(t.Id, a.Id, a.Resource, a.Task, a.IntervalMs, a.Role, Meta: a.Meta, DcIncarnation: context.Incarnation, Round: t.Round);
        }
        t.InFlight.Add(a.Id);
        context.Debug(() => $"transition {t.Id}: action {a.Id} ({a.Task} {a.Resource ?? a.Node}) to {context.Name(target)}");
        if (target == context.SelfId) context.Emit(new RunOperation(request, context.Config!, context.SelfId));
        else context.Send(target, new ExecuteMessage(request));
        return true;
    }

    /// <summary>
    /// No device reaches the victim, but watchdog fencing is on: the node has stopped its
    /// resources or reset itself once the timeout has passed since it was lost. One still a member
    /// (a stop failed there, say) is asked to reset itself, and counts as fenced only once it has
    /// left and the whole timeout has passed.
    /// </summary>
    private void WaitForWatchdog(Transition t, GraphAction a, TimeSpan due)
    {
        t.InFlight.Add(a.Id);
        if (watchdog.IsMember(a.Node) && context.IdOf(a.Node) is { } member)
        {
            var reason = $"transition {t.Id} fences it ({a.Task})";
            if (member == context.SelfId) watchdog.FenceSelfOnOrder(context.SelfName, reason);
            else context.Send(member, new FenceYourselfMessage(reason));
            due = context.Now.Elapsed + watchdog.Timeout!.Value;
        }
        watchdogFencings.Add((t.Id, a.Id, a.Node, a.Task, due));
        context.Warn($"transition {t.Id}: fencing {a.Node} by its watchdog: waiting until {Math.Max(0, (due - context.Now.Elapsed).TotalSeconds):0.0} s from now (stonith-watchdog-timeout after it was lost)");
    }

    /// <summary>A transition's summary on one line, for the log.</summary>
    public static string Describe(TransitionGraph graph) => string.Join("; ", graph.SummaryLines().Select(l => l.Trim().TrimStart('*').Trim()));

    private sealed class Transition(long id, IReadOnlyList<GraphAction> actions, TimeSpan started)
    {
        public long Id { get; } = id;
        public Dictionary<int, GraphAction> Actions { get; } = actions.ToDictionary(a => a.Id);
        public HashSet<int> Done { get; } = new();
        public HashSet<int> InFlight { get; } = new();
        public bool Aborted { get; set; }
        /// <summary>The report round it was planned in: its requests carry it (see ExecuteRequest.Round).</summary>
        public long Round { get; init; }
        public TimeSpan LastProgress { get; set; } = started;
        public TimeSpan Started { get; } = started;
        /// <summary>What each answered action's result was (for the history).</summary>
        public Dictionary<int, string> Outcomes { get; } = new();
        public string Summary { get; init; } = "";
    }
}
