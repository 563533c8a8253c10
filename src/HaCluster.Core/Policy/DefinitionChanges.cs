using HaCluster.Core.Status;

namespace HaCluster.Core.Policy;

/// <summary>
/// Finds resources whose definition changed since they were started, by comparing the parameter
/// digests recorded with their operations (see <see cref="OperationDigest"/>) with the
/// configuration now, as Pacemaker does:
/// <list type="bullet">
/// <item>a changed parameter the agent cannot reload (op-restart-digest differs), an unknown old
///   digest, or a change to an agent that does not support reload: restart
///   ("due to resource definition change"), which also restarts what is ordered after it;</item>
/// <item>a change only to reloadable parameters (the history has a restart digest and it still
///   matches): reload in place;</item>
/// <item>a change to private parameters only (the CIB was sanitized: passwords masked, the secure
///   digest still matches): nothing;</item>
/// <item>a different agent (class, provider or type) than the one that started it: restart.</item>
/// </list>
/// Only nodes that can run resources are checked, and only the operations since the resource
/// last started there. Recurring monitors are rescheduled by the executor, not reported here.
/// </summary>
internal sealed class DefinitionChanges(WorkingSet ws)
{
    internal const string Reason = "due to resource definition change";

    /// <summary>Configured primitives by id (a clone instance's definition carries "rsc:N").</summary>
    private readonly Dictionary<string, Cib.Primitive> _configured = ws.Config.AllResources().OfType<Cib.Primitive>()
        .GroupBy(p => p.Id).ToDictionary(g => g.Key, g => g.First());

    public void Run()
    {
        foreach (var p in ws.AllPrimitives())
        {
            if (p.Orphan) continue;
            foreach (var (node, history) in p.HistoryOn)
            {
                ClearFailuresOfAnOldDefinition(p, node, history);
                if (!p.ActiveOn.ContainsKey(node)) continue;
                if (!node.CanRunResources && !node.Maintenance) continue;
                Check(p, node, history);
            }
        }
    }

    private void Check(SchedPrimitive p, SchedNode node, ResourceHistory history)
    {
        if (history.Class != p.Agent.Class || history.Type != p.Agent.Type || (history.Provider ?? "") != (p.Agent.Provider ?? ""))
        {
            // Pacemaker gives no reason for this restart (it is a forced stop).
            Restart(p, $"it was started on {node.Name} as {history.Class}:{(history.Provider is null ? "" : history.Provider + ":")}{history.Type}, its agent is now {p.Agent}", "");
            Unfence(p, node, "Device definition changed");
            return;
        }
        var ops = history.Operations.OrderBy(o => o.CallId).ToList();
        var (start, stop) = ActiveSpan(ops);
        if (start < stop) return;
        for (int i = Math.Max(start, 0); i < ops.Count; i++)
        {
            var op = ops[i];
            if (op.IntervalMs > 0 || op.Task is not ("monitor" or "start" or "promote" or "migrate_from")) continue;
            switch (Compare(p, node, op))
            {
                case Outcome.Restart:
                    // Failures of the old definition are forgotten with it ("action definition changed").
                    p.FailCountClearedOn.Add(node);
                    Restart(p, $"the parameters of its {op.Task} on {node.Name} (call {op.CallId}) changed since");
                    Unfence(p, node, "Device parameters changed");
                    return;
                case Outcome.Reload:
                    p.ReloadOn ??= node;
                    break;
            }
        }
    }

    /// <summary>
    /// A start or monitor that failed with parameters that have changed since says nothing about
    /// the resource as now defined: its fail count there is cleared (Pacemaker's "resource
    /// parameters have changed"), so migration-threshold no longer keeps it off the node.
    /// </summary>
    private void ClearFailuresOfAnOldDefinition(SchedPrimitive p, SchedNode node, ResourceHistory history)
    {
        foreach (var op in history.Operations)
        {
            if (!op.Id.Contains("last_failure", StringComparison.Ordinal) || op.Task is not ("start" or "monitor") || op.OpDigest is null) continue;
            if (op.IntervalMs > 0) continue;
            if (Compare(p, node, op) == Outcome.Same) continue;
            p.FailCountClearedOn.Add(node);
            p.Explanation.Add($"its failure on {node.Name} was with parameters that have changed since: the fail count there is cleared");
        }
    }

    /// <summary>A fencing device that unfences, redefined: the node it runs on is unfenced again.</summary>
    private void Unfence(SchedPrimitive p, SchedNode node, string why)
    {
        if (p.Agent.Class == "stonith" && ws.UnfencingEnabled && node.Online && !node.Unclean && !node.Shutdown)
            node.UnfenceReason ??= why;
    }

    private void Restart(SchedPrimitive p, string why, string reason = Reason)
    {
        p.RestartReason ??= ws.EarlyStartReason(p, reason);
        p.Explanation.Add($"its definition changed ({why}): it restarts");
    }

    private enum Outcome { Same, Restart, Reload }

    private Outcome Compare(SchedPrimitive p, SchedNode node, OperationRecord op)
    {
        bool Rules(Cib.Rule r) => RuleEvaluator.Matches(r, node, ws.Now);
        var definition = _configured.GetValueOrDefault(CloneBuilder.BaseId(p.Definition.Id)) ?? p.Definition;
        var all = OperationDigest.OperationParameters(ws.Config, definition, op.Task, 0, Rules);
        // A bundle's connection without an address of its own was started with its container's
        // host as the address (Pacemaker puts the host's name in for "#uname"), and so recorded.
        if (p.IsGuestConnection && all.TryGetValue("addr", out var addr) && addr == "#uname" && p.Container!.CurrentNode is { } host)
            all["addr"] = host.Name;
        bool changed;
        var restartNeeded = false;
        if (op.RestartDigest is not null
            && OperationDigest.Restart(all, op.ForceRestartParams ?? string.Join(' ', all.Keys)) != op.RestartDigest)
            changed = restartNeeded = true;
        else
            changed = op.OpDigest is null || OperationDigest.Of(all) != op.OpDigest;
        if (!changed) return Outcome.Same;
        // A sanitized CIB (private parameters masked) whose other parameters are unchanged.
        // (Only interval-0 operations are compared, so there is no timeout among the parameters.)
        if (op.SecureDigest is not null
            && OperationDigest.Secure(all, op.SecureParams, p.Agent.Class == "stonith") == op.SecureDigest)
            return Outcome.Same;
        // Parameters given to this operation alone are not reloadable: the op must run again.
        var extra = OperationDigest.FindOperation(ws.Config, definition, op.Task, 0)?.InstanceAttributes;
        if (restartNeeded || extra is { IsEmpty: false }) return Outcome.Restart;
        return op.RestartDigest is not null ? Outcome.Reload : Outcome.Restart;
    }

    /// <summary>
    /// Indexes of the last start (or, failing one, the last promote/demote, or a monitor that
    /// found it running) and of the last successful stop, in call order; -1 when there is none.
    /// </summary>
    private static (int Start, int Stop) ActiveSpan(List<OperationRecord> ops)
    {
        int start = -1, stop = -1, impliedByMonitor = -1, impliedByRole = -1;
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            if (op.Task == "stop" && op.OpStatus == 0) stop = i;
            else if (op.Task is "start" or "migrate_from") start = i;
            else if (impliedByMonitor <= stop && op.Task == "monitor" && op.RcCode is 0 or 8) impliedByMonitor = i;
            else if (op.Task is "promote" or "demote") impliedByRole = i;
        }
        if (start == -1) start = impliedByRole != -1 ? impliedByRole : impliedByMonitor;
        return (start, stop);
    }
}
