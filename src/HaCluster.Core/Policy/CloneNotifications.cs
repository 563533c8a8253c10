using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Clone notifications (meta notify=true), as Pacemaker sends them: for each kind of action the
/// transition takes on a clone's instances — demote, stop, start, promote, in that order — every
/// instance concerned hears of it before ("pre") and after ("post"), with the lists of what
/// changes (OCF_RESKEY_CRM_meta_notify_start_resource / _uname, ...). Agents such as ocf:linbit:drbd,
/// galera and rabbitmq-server act on these (DRBD refuses to run without them).
/// <para>
/// In the graph each phase is: pre_notify_OP (pseudo) → a notify per recipient →
/// confirmed-pre_notify_OP (pseudo) → the OP actions → post_notify_OP (pseudo) → a notify per
/// recipient → confirmed-post_notify_OP (pseudo); the phases follow one another. Pre
/// notifications go to the instances running at that point, post ones to those running after it.
/// Instances on nodes being fenced hear nothing.
/// </para>
/// </summary>
internal sealed partial class ActionGraphBuilder
{
    private static readonly string[] NotifyPhases = ["demote", "stop", "start", "promote"];

    private void AddNotifications(HashSet<string> fenced)
    {
        foreach (var clone in ws.AllResources().OfType<SchedClone>().Where(c => CibBoolean.IsTrue(c.MetaValue("notify"))))
        {
            var instances = clone.Instances.SelectMany(i => i.Primitives()).ToList();
            // Who runs where before the transition (nodes being fenced excluded) and after it.
            var before = instances.SelectMany(p => p.ActiveOn.Where(a => !fenced.Contains(a.Key.Name)).Select(a => (P: p, Node: a.Key.Name, Role: a.Value))).ToList();
            var after = instances.Where(p => p.AssignedTo is not null && p.NextRole != Role.Stopped).Select(p => (P: p, Node: p.AssignedTo!.Name)).ToList();
            var planned = NotifyPhases.ToDictionary(op => op, op => instances.SelectMany(p => Of(p, op).Select(a => (P: p, Action: a))).ToList());
            if (planned.Values.All(l => l.Count == 0)) continue;

            var common = CommonVariables(clone, instances, before, planned);
            Draft? previousPhaseEnd = null;
            foreach (var op in NotifyPhases)
            {
                var acts = planned[op];
                if (acts.Count == 0) continue;
                var stopped = planned["stop"].Select(x => (x.P, x.Action.Node)).ToHashSet();
                var preRecipients = op is "demote" or "stop"
                    ? before.Select(b => (b.P, b.Node))
                    : op == "start" ? before.Select(b => (b.P, b.Node)).Where(b => !stopped.Contains(b)) : after;
                var postRecipients = op switch
                {
                    "demote" => before.Select(b => (b.P, b.Node)),
                    "stop" => before.Select(b => (b.P, b.Node)).Where(b => !stopped.Contains(b)),
                    _ => after,
                };

                var pre = Add($"pre_notify_{op}", null, "", pseudo: true, resource: clone.Id);
                var confirmedPre = Add($"confirmed-pre_notify_{op}", null, "", pseudo: true, resource: clone.Id);
                if (previousPhaseEnd is not null) pre.Inputs.Add(previousPhaseEnd.Id);
                NotifyAll(preRecipients, "pre", op, common, pre, confirmedPre);
                confirmedPre.Inputs.Add(pre.Id);
                foreach (var (_, action) in acts) action.Inputs.Add(confirmedPre.Id);

                var post = Add($"post_notify_{op}", null, "", pseudo: true, resource: clone.Id);
                var confirmedPost = Add($"confirmed-post_notify_{op}", null, "", pseudo: true, resource: clone.Id);
                foreach (var (_, action) in acts) post.Inputs.Add(action.Id);
                NotifyAll(postRecipients, "post", op, common, post, confirmedPost);
                confirmedPost.Inputs.Add(post.Id);
                previousPhaseEnd = confirmedPost;
            }
        }
    }

    private void NotifyAll(IEnumerable<(SchedPrimitive P, string Node)> recipients, string type, string op,
        Dictionary<string, string> common, Draft start, Draft confirmed)
    {
        var meta = new Dictionary<string, string>(common)
        {
            ["notify_type"] = type,
            ["notify_operation"] = op,
            ["notify_key_type"] = type,
            ["notify_key_operation"] = type == "pre" ? op : Past(op),
        };
        foreach (var (p, node) in recipients.Distinct())
        {
            var notify = Add("notify", p, node);
            notify.Meta = meta;
            notify.Inputs.Add(start.Id);
            confirmed.Inputs.Add(notify.Id);
        }
    }

    private static string Past(string op) => op switch { "stop" => "stopped", "start" => "running", "promote" => "promoted", "demote" => "demoted", _ => op };

    /// <summary>The lists every notification of this transition carries (" " stands for an empty list, as Pacemaker sends it).</summary>
    private Dictionary<string, string> CommonVariables(SchedClone clone, List<SchedPrimitive> instances,
        List<(SchedPrimitive P, string Node, Role Role)> before, Dictionary<string, List<(SchedPrimitive P, Draft Action)>> planned)
    {
        static string Join(IEnumerable<string> items)
        {
            var text = string.Join(' ', items);
            return text.Length == 0 ? " " : text;
        }
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        void Pair(string name, IEnumerable<(string Rsc, string Node)> items)
        {
            var list = items.ToList();
            vars[$"notify_{name}_resource"] = Join(list.Select(i => i.Rsc));
            vars[$"notify_{name}_uname"] = Join(list.Select(i => i.Node));
        }
        foreach (var op in NotifyPhases) Pair(op, planned[op].Select(x => (x.P.Id, x.Action.Node)));
        Pair("active", before.Select(b => (b.P.Id, b.Node)));
        var promoted = before.Where(b => b.Role == Role.Promoted).Select(b => (b.P.Id, b.Node)).ToList();
        var unpromoted = before.Where(b => b.Role != Role.Promoted).Select(b => (b.P.Id, b.Node)).ToList();
        // Pacemaker 2.1 sends both the new names and the old ones agents still read.
        Pair("promoted", promoted);
        Pair("master", promoted);
        Pair("unpromoted", clone.Promotable ? unpromoted : []);
        Pair("slave", clone.Promotable ? unpromoted : []);
        var active = before.Select(b => b.P).ToHashSet();
        vars["notify_inactive_resource"] = Join(instances.Where(p => !active.Contains(p)).Select(p => p.Id));
        vars["notify_all_uname"] = Join(ws.Nodes.Select(n => n.Name));
        vars["notify_available_uname"] = Join(ws.Nodes.Where(n => n.CanRunResources).Select(n => n.Name));
        return vars;
    }
}
