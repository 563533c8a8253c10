using System.Globalization;
using System.Xml.Linq;

namespace HaCluster.Core.Tests.Policy;

/// <summary>
/// A second random generator (issue 23), independent of the first two and of this project's model:
/// it writes CIB XML directly, as a Pacemaker 2.1 cluster records it, for what they do not produce:
/// failures of start, monitor, stop and promote recorded with per-operation fail counts and
/// last-failure times (<c>fail-count-RSC#OP_INTERVAL</c>), expired and unexpired failures
/// (failure-timeout), migration-threshold, every on-fail, start-failure-is-fatal, timeouts,
/// definition changes after start, utilization with each placement strategy, globally-unique
/// clones with clone-node-max above 1, promotable clones, standby, nodes that left cleanly or
/// uncleanly (with fencing), and stickiness in groups and clones.
/// </summary>
public static class FailureScenarios
{
    /// <summary>The time the scheduler runs at (execution-date): failures are dated against it.</summary>
    public const long Now = 1_700_000_000;

    private const string Uuid = "6b0cc1b4-0a3e-4b64-9c3f-3bb1b1f4d1a2";

    // The digest Pacemaker 2.1.5 records for a non-recurring operation of an agent without
    // parameters (every primitive here has none): a history that carries it matches the
    // configuration, as a real cluster's does. (Recurring monitors are recorded without one:
    // Pacemaker then re-sends them silently, which changes no Transition Summary.)
    private const string ParameterDigest = "f2317cad3d54cec5d7d7aa7d0bf35cf8";

    public static string Generate(int seed) => new Builder(new Random(seed)).Build().ToString();

    private sealed class Builder(Random rng)
    {
        private readonly List<string> nodes = [];
        private readonly Dictionary<string, string> nodeIds = new();
        private readonly Dictionary<string, List<XElement>> lrm = new();
        private readonly Dictionary<string, List<(string Name, string Value)>> transient = new();
        private readonly List<XElement> resources = [];
        private readonly List<XElement> constraints = [];
        private readonly HashSet<string> down = new();
        private readonly HashSet<string> unclean = new();
        private bool fencing;
        private bool startFailureIsFatal = true;
        private bool utilization;
        private int call = 10;
        private int transition = 1;
        private int ids;

        private bool Chance(int inN) => rng.Next(inN) == 0;
        private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];
        private string Id(string stem) => $"{stem}-{++ids}";

        public XElement Build()
        {
            var count = rng.Next(2, 6);
            fencing = Chance(3);
            for (var i = 1; i <= count; i++)
            {
                var name = $"node{i}";
                nodes.Add(name);
                nodeIds[name] = i.ToString(CultureInfo.InvariantCulture);
                lrm[name] = [];
                transient[name] = [];
            }
            // Some nodes are gone: cleanly (shut down), or lost (only with fencing: it is fenced).
            foreach (var n in nodes.Skip(1))
            {
                if (Chance(7)) down.Add(n);
                else if (fencing && Chance(7)) unclean.Add(n);
            }
            startFailureIsFatal = !Chance(4);
            utilization = Chance(4);
            var strategy = utilization ? Pick(["utilization", "balanced", "minimal"]) : Chance(6) ? "default" : null;

            if (fencing) resources.Add(Primitive("st-sim", "stonith", null, "fence_dummy", ops: false, stonith: true));
            var tops = new List<string>();
            for (int i = 0, n = rng.Next(2, 6); i < n; i++) tops.Add(AddTop(i));
            AddConstraints(tops);

            var properties = new List<(string, string)> { ("stonith-enabled", fencing ? "true" : "false"), ("no-quorum-policy", "ignore") };
            if (!startFailureIsFatal) properties.Add(("start-failure-is-fatal", "false"));
            if (strategy is not null) properties.Add(("placement-strategy", strategy));
            if (Chance(5)) properties.Add(("stop-all-resources", "false"));
            var defaults = new List<(string, string)>();
            if (Chance(3)) defaults.Add(("resource-stickiness", Pick(["0", "1", "50", "100", "INFINITY"])));
            if (Chance(4)) defaults.Add(("migration-threshold", Pick(["1", "2", "3"])));
            if (Chance(5)) defaults.Add(("failure-timeout", Pick(["60s", "10min"])));

            var configuration = new XElement("configuration",
                new XElement("crm_config", Set("cluster_property_set", "cib-bootstrap-options", properties)),
                new XElement("nodes", nodes.Select(NodeDefinition)),
                new XElement("resources", resources),
                new XElement("constraints", constraints));
            if (defaults.Count > 0) configuration.Add(new XElement("rsc_defaults", Set("meta_attributes", "rsc-options", defaults)));
            return new XElement("cib",
                new XAttribute("crm_feature_set", "3.16.2"), new XAttribute("validate-with", "pacemaker-3.9"),
                new XAttribute("epoch", "20"), new XAttribute("num_updates", "0"), new XAttribute("admin_epoch", "0"),
                new XAttribute("have-quorum", "1"), new XAttribute("dc-uuid", "1"), new XAttribute("execution-date", Now.ToString(CultureInfo.InvariantCulture)),
                configuration,
                new XElement("status", nodes.Select(NodeState)));
        }

        private static XElement Set(string kind, string id, IEnumerable<(string Name, string Value)> pairs) =>
            new(kind, new XAttribute("id", id), pairs.Select(p => new XElement("nvpair", new XAttribute("id", $"{id}-{p.Name}"), new XAttribute("name", p.Name), new XAttribute("value", p.Value))));

        private XElement NodeDefinition(string n)
        {
            var e = new XElement("node", new XAttribute("id", nodeIds[n]), new XAttribute("uname", n));
            if (Chance(8)) e.Add(Set("instance_attributes", $"nodes-{nodeIds[n]}", [("standby", "on")]));
            if (utilization) e.Add(Set("utilization", $"nodes-{nodeIds[n]}-utilization", [("cpu", rng.Next(2, 6).ToString(CultureInfo.InvariantCulture)), ("mem", rng.Next(4, 17).ToString(CultureInfo.InvariantCulture))]));
            return e;
        }

        private XElement NodeState(string n)
        {
            var id = nodeIds[n];
            var state = down.Contains(n)
                ? new XElement("node_state", new XAttribute("id", id), new XAttribute("uname", n), new XAttribute("in_ccm", "false"), new XAttribute("crmd", "offline"),
                    new XAttribute("crm-debug-origin", "do_state_transition"), new XAttribute("join", "down"), new XAttribute("expected", "down"))
                : unclean.Contains(n)
                    ? new XElement("node_state", new XAttribute("id", id), new XAttribute("uname", n), new XAttribute("in_ccm", "false"), new XAttribute("crmd", "offline"),
                        new XAttribute("crm-debug-origin", "post_cache_update"), new XAttribute("join", "member"), new XAttribute("expected", "member"))
                    : new XElement("node_state", new XAttribute("id", id), new XAttribute("uname", n), new XAttribute("in_ccm", "true"), new XAttribute("crmd", "online"),
                        new XAttribute("crm-debug-origin", "do_update_resource"), new XAttribute("join", "member"), new XAttribute("expected", "member"));
            if (transient[n].Count > 0 && !down.Contains(n))
                state.Add(new XElement("transient_attributes", new XAttribute("id", id), Set("instance_attributes", $"status-{id}", transient[n])));
            state.Add(new XElement("lrm", new XAttribute("id", id), new XElement("lrm_resources", down.Contains(n) ? [] : lrm[n])));
            return state;
        }

        // ---- resources ----------------------------------------------------------------------

        private string AddTop(int i)
        {
            var kind = rng.Next(10);
            if (kind < 5)
            {
                var p = Primitive($"r{i}", "ocf", "pacemaker", "Dummy");
                resources.Add(p);
                History(p, single: true);
                return $"r{i}";
            }
            if (kind < 7)
            {
                var members = Enumerable.Range(0, rng.Next(2, 4)).Select(m => Primitive($"g{i}m{m}", "ocf", "pacemaker", "Dummy")).ToList();
                var group = new XElement("group", new XAttribute("id", $"g{i}"), members);
                if (Chance(3)) group.AddFirst(Set("meta_attributes", $"g{i}-meta", [("resource-stickiness", Pick(["0", "10", "100"]))]));
                resources.Add(group);
                // A group runs where it runs as a whole, its members started in order.
                var where = PlaceFor(single: true);
                var running = true;
                foreach (var m in members)
                {
                    if (where is null || !running) break;
                    running = Record(m, where, Outcome(), instance: m.Attribute("id")!.Value);
                }
                return $"g{i}";
            }
            if (kind < 8)
            {
                var child = Primitive($"c{i}", "ocf", "pacemaker", "Dummy");
                var unique = Chance(2);
                var meta = new List<(string, string)> { ("clone-max", rng.Next(1, nodes.Count + 2).ToString(CultureInfo.InvariantCulture)) };
                if (unique)
                {
                    meta.Add(("globally-unique", "true"));
                    meta.Add(("clone-node-max", rng.Next(1, 3).ToString(CultureInfo.InvariantCulture)));
                }
                if (Chance(3)) meta.Add(("interleave", "true"));
                resources.Add(new XElement("clone", new XAttribute("id", $"cl{i}"), Set("meta_attributes", $"cl{i}-meta", meta), child));
                var instances = int.Parse(meta[0].Item2, CultureInfo.InvariantCulture);
                var usedNodes = new List<string>();
                for (var k = 0; k < instances; k++)
                {
                    if (Chance(3)) continue;
                    var where = PlaceFor(single: false);
                    if (where is null || (!unique && usedNodes.Contains(where))) continue;
                    usedNodes.Add(where);
                    Record(child, where, Outcome(), instance: unique ? $"c{i}:{k}" : $"c{i}");
                }
                return $"cl{i}";
            }
            {
                var child = Primitive($"s{i}", "ocf", "pacemaker", "Stateful", stateful: true);
                var meta = new List<(string, string)> { ("promotable", "true"), ("promoted-max", "1"), ("clone-max", Math.Min(nodes.Count, rng.Next(2, 4)).ToString(CultureInfo.InvariantCulture)) };
                if (Chance(3)) meta.Add(("notify", "true"));
                resources.Add(new XElement("clone", new XAttribute("id", $"ms{i}"), Set("meta_attributes", $"ms{i}-meta", meta), child));
                var promotedDone = false;
                foreach (var n in nodes.Where(n => !down.Contains(n)).Take(int.Parse(meta[2].Item2, CultureInfo.InvariantCulture)))
                {
                    if (Chance(4)) continue;
                    var promote = !promotedDone && Chance(2);
                    promotedDone |= promote;
                    Record(child, n, promote ? Pick(["promoted", "promoted", "promote-failed", "promoted-monitor-failed"]) : Outcome(), instance: $"s{i}");
                    if (!unclean.Contains(n)) transient[n].Add(($"master-s{i}", promote ? "10" : "5"));
                }
                return $"ms{i}";
            }
        }

        private XElement Primitive(string id, string @class, string? provider, string type, bool ops = true, bool stonith = false, bool stateful = false)
        {
            var e = new XElement("primitive", new XAttribute("id", id), new XAttribute("class", @class));
            if (provider is not null) e.Add(new XAttribute("provider", provider));
            e.Add(new XAttribute("type", type));
            if (stonith) e.Add(Set("instance_attributes", $"{id}-ia", [("pcmk_host_list", string.Join(" ", nodes))]));
            var meta = new List<(string, string)>();
            if (!stonith)
            {
                if (Chance(5)) meta.Add(("migration-threshold", Pick(["1", "2", "3", "INFINITY"])));
                if (Chance(6)) meta.Add(("failure-timeout", Pick(["30s", "120s", "20min"])));
                if (Chance(6)) meta.Add(("resource-stickiness", Pick(["0", "5", "100", "INFINITY"])));
                if (Chance(12)) meta.Add(("target-role", Pick(["Stopped", "Started"])));
                if (Chance(12)) meta.Add(("is-managed", "false"));
                if (Chance(10)) meta.Add(("multiple-active", Pick(["stop_start", "stop_only", "block", "stop_unexpected"])));
            }
            if (meta.Count > 0) e.Add(Set("meta_attributes", $"{id}-meta", meta));
            if (utilization && !stonith) e.Add(Set("utilization", $"{id}-utilization", [("cpu", rng.Next(1, 3).ToString(CultureInfo.InvariantCulture)), ("mem", rng.Next(1, 6).ToString(CultureInfo.InvariantCulture))]));
            if (!ops) return e;
            var operations = new XElement("operations");
            var onFail = Chance(3) ? Pick(OnFail(stateful)) : null;
            if (stateful)
            {
                operations.Add(Op(id, "monitor", "10s", onFail, "Promoted"));
                operations.Add(Op(id, "monitor", "11s", onFail, "Unpromoted"));
            }
            else operations.Add(Op(id, "monitor", "10s", onFail, null));
            if (Chance(8)) operations.Add(Op(id, "start", "0", Pick(["restart", "block", "stop", "ignore"]), null));
            if (Chance(10)) operations.Add(Op(id, "stop", "0", Pick(["block", "ignore"]), null));
            e.Add(operations);
            return e;
        }

        private string[] OnFail(bool stateful)
        {
            var all = new List<string> { "ignore", "block", "stop", "restart", "standby" };
            if (fencing) all.Add("fence");
            if (stateful) all.Add("demote");
            return all.ToArray();
        }

        private static XElement Op(string id, string name, string interval, string? onFail, string? role)
        {
            var e = new XElement("op", new XAttribute("id", $"{id}-{name}-{interval}{(role is null ? "" : "-" + role)}"), new XAttribute("name", name), new XAttribute("interval", interval));
            if (role is not null) e.Add(new XAttribute("role", role));
            if (onFail is not null) e.Add(new XAttribute("on-fail", onFail));
            return e;
        }

        // ---- status ---------------------------------------------------------------------------

        /// <summary>A node for something that runs: online or lost (a lost node's resources still count as active there), sometimes none.</summary>
        private string? PlaceFor(bool single)
        {
            if (Chance(single ? 3 : 4)) return null;
            var candidates = nodes.Where(n => !down.Contains(n)).ToList();
            return candidates.Count == 0 ? null : Pick(candidates);
        }

        private string Outcome() => rng.Next(20) switch
        {
            < 7 => "running",
            < 9 => "monitor-failed",
            10 => "monitor-error",
            11 => "monitor-timeout",
            < 14 => "start-failed",
            14 => "start-timeout",
            15 => "stop-failed",
            16 => "definition-changed",
            17 => "monitor-failed-expired",
            18 => "start-failed-expired",
            _ => "running",
        };

        private void History(XElement primitive, bool single)
        {
            var id = primitive.Attribute("id")!.Value;
            var where = PlaceFor(single);
            if (where is not null) Record(primitive, where, Outcome(), id);
            // A failure left behind elsewhere, the resource having moved on.
            if (Chance(6))
            {
                var other = nodes.Where(n => n != where && !down.Contains(n)).ToList();
                if (other.Count > 0) Record(primitive, Pick(other), Pick(["start-failed", "start-failed-expired", "monitor-failed-stopped"]), id);
            }
        }

        /// <summary>Writes a resource's history on a node as the controller records it; true when it is left running (a group's next member may start).</summary>
        private bool Record(XElement primitive, string node, string outcome, string instance)
        {
            var type = primitive.Attribute("type")!.Value;
            var stateful = type == "Stateful";
            var ops = new List<XElement>();
            var failures = new List<(string Op, string Value)>();
            var ago = outcome.EndsWith("-expired", StringComparison.Ordinal) ? 3600 * 6 : rng.Next(5, 50);
            var at = Now - ago;
            var monitorInterval = stateful ? "11000" : "10000";
            bool running;
            // A failed operation as recorded: itself, its copy as the last failure, and its fail count.
            void FailedOp(XElement failed, (string Op, string Value) failCount)
            {
                ops.Add(failed);
                ops.Add(Failure(failed));
                failures.Add(failCount);
            }
            switch (outcome)
            {
                case "running":
                    ops.Add(Op(instance, "start", "0", 0, 0, at - 5));
                    ops.Add(Op(instance, "monitor", monitorInterval, 0, 0, at, expected: 0));
                    running = true;
                    break;
                case "definition-changed":
                    ops.Add(Op(instance, "start", "0", 0, 0, at - 5, digest: "0123456789abcdef0123456789abcdef"));
                    ops.Add(Op(instance, "monitor", monitorInterval, 0, 0, at));
                    running = true;
                    break;
                case "monitor-failed" or "monitor-failed-expired" or "monitor-error" or "monitor-timeout":
                    {
                        var rc = outcome == "monitor-error" ? 1 : outcome == "monitor-timeout" ? 1 : 7;
                        var status = outcome == "monitor-timeout" ? 2 : 0;
                        ops.Add(Op(instance, "start", "0", 0, 0, at - 30));
                        FailedOp(Op(instance, "monitor", monitorInterval, rc, status, at), ($"monitor_{monitorInterval}", rng.Next(1, 4).ToString(CultureInfo.InvariantCulture)));
                        running = rc != 7;
                        break;
                    }
                case "monitor-failed-stopped":
                    {
                        // Failed, then stopped here; the resource runs elsewhere now.
                        var failed = Op(instance, "monitor", monitorInterval, 7, 0, at - 20);
                        ops.Add(Op(instance, "stop", "0", 0, 0, at));
                        ops.Add(Failure(failed));
                        failures.Add(($"monitor_{monitorInterval}", "1"));
                        running = false;
                        break;
                    }
                case "start-failed" or "start-failed-expired" or "start-timeout":
                    {
                        FailedOp(Op(instance, "start", "0", 1, outcome == "start-timeout" ? 2 : 0, at), ("start_0", startFailureIsFatal ? "INFINITY" : "1"));
                        running = false;
                        break;
                    }
                case "stop-failed":
                    {
                        FailedOp(Op(instance, "stop", "0", 1, 0, at), ("stop_0", "INFINITY"));
                        running = true;
                        break;
                    }
                case "promoted":
                    ops.Add(Op(instance, "promote", "0", 0, 0, at - 5));
                    ops.Add(Op(instance, "monitor", "10000", 8, 0, at, expected: 8));
                    running = true;
                    break;
                case "promoted-monitor-failed":
                    {
                        ops.Add(Op(instance, "promote", "0", 0, 0, at - 30));
                        FailedOp(Op(instance, "monitor", "10000", 7, 0, at, expected: 8), ("monitor_10000", "1"));
                        running = false;
                        break;
                    }
                case "promote-failed":
                    {
                        FailedOp(Op(instance, "promote", "0", 1, 0, at), ("promote_0", "1"));
                        running = true;
                        break;
                    }
                default:
                    throw new ArgumentException(outcome);
            }
            // Probes elsewhere found it stopped (what a real cluster has on every node).
            foreach (var n in nodes.Where(n => n != node && !down.Contains(n) && Chance(2)))
                AddProbe(n, primitive, instance);
            var resource = lrm[node].FirstOrDefault(r => r.Attribute("id")!.Value == instance);
            if (resource is null)
            {
                resource = LrmResource(primitive, instance);
                lrm[node].Add(resource);
            }
            else resource.RemoveNodes();
            foreach (var op in ops) op.SetAttributeValue("on_node", node);
            resource.Add(ops);
            var baseId = instance;
            foreach (var (op, value) in failures)
            {
                transient[node].RemoveAll(a => a.Name == $"fail-count-{baseId}#{op}" || a.Name == $"last-failure-{baseId}#{op}");
                transient[node].Add(($"fail-count-{baseId}#{op}", value));
                transient[node].Add(($"last-failure-{baseId}#{op}", at.ToString(CultureInfo.InvariantCulture)));
            }
            return running;
        }

        private void AddProbe(string node, XElement primitive, string instance)
        {
            if (lrm[node].Any(r => r.Attribute("id")!.Value == instance)) return;
            var resource = LrmResource(primitive, instance);
            var probe = Op(instance, "monitor", "0", 7, 0, Now - 3000, expected: 7);
            probe.SetAttributeValue("on_node", node);
            resource.Add(probe);
            lrm[node].Add(resource);
        }

        private static XElement LrmResource(XElement primitive, string instance) => new("lrm_resource",
            new XAttribute("id", instance), new XAttribute("type", primitive.Attribute("type")!.Value),
            new XAttribute("class", primitive.Attribute("class")!.Value), new XAttribute("provider", primitive.Attribute("provider")?.Value ?? ""));

        /// <summary>An lrm_rsc_op as the controller writes it (key: the last non-recurring op, or the recurring op's own).</summary>
        private XElement Op(string instance, string task, string interval, int rc, int status, long at, int? expected = null, string? digest = null)
        {
            var recurring = interval != "0";
            var key = recurring ? $"{instance}_{task}_{interval}" : $"{instance}_last_0";
            var expect = expected ?? (task == "monitor" && !recurring ? 7 : 0);
            var transitionKey = $"{rng.Next(1, 40)}:{transition++}:{expect}:{Uuid}";
            var e = new XElement("lrm_rsc_op",
                new XAttribute("id", key), new XAttribute("operation_key", $"{instance}_{task}_{interval}"), new XAttribute("operation", task),
                new XAttribute("crm-debug-origin", "do_update_resource"), new XAttribute("crm_feature_set", "3.16.2"),
                new XAttribute("transition-key", transitionKey), new XAttribute("transition-magic", $"{status}:{rc};{transitionKey}"),
                new XAttribute("exit-reason", rc == 0 || rc == 7 && expect == 7 ? "" : "simulated failure"),
                new XAttribute("call-id", (call++).ToString(CultureInfo.InvariantCulture)),
                new XAttribute("rc-code", rc.ToString(CultureInfo.InvariantCulture)), new XAttribute("op-status", status.ToString(CultureInfo.InvariantCulture)),
                new XAttribute("interval", interval), new XAttribute("last-rc-change", at.ToString(CultureInfo.InvariantCulture)),
                new XAttribute("exec-time", "20"), new XAttribute("queue-time", "0"));
            if (!recurring) e.Add(new XAttribute("op-digest", digest ?? ParameterDigest));
            return e;
        }

        /// <summary>The copy of a failed operation Pacemaker keeps as RSC_last_failure_0.</summary>
        private static XElement Failure(XElement failed)
        {
            var copy = new XElement(failed);
            var instance = failed.Attribute("operation_key")!.Value;
            copy.SetAttributeValue("id", instance[..instance.LastIndexOf('_', instance.LastIndexOf('_') - 1)] + "_last_failure_0");
            return copy;
        }

        private void AddConstraints(List<string> tops)
        {
            foreach (var t in tops.Where(_ => Chance(2)))
                constraints.Add(new XElement("rsc_location", new XAttribute("id", Id("loc")), new XAttribute("rsc", t), new XAttribute("node", Pick(nodes)),
                    new XAttribute("score", Pick(["INFINITY", "-INFINITY", "50", "100", "200", "-50"]))));
            if (tops.Count < 2) return;
            for (int i = 0, n = rng.Next(0, 3); i < n; i++)
            {
                var a = Pick(tops);
                var b = Pick(tops);
                if (a == b) continue;
                if (Chance(2))
                    constraints.Add(new XElement("rsc_colocation", new XAttribute("id", Id("col")), new XAttribute("rsc", a), new XAttribute("with-rsc", b),
                        new XAttribute("score", Pick(["INFINITY", "100", "-INFINITY"]))));
                else if (!constraints.Any(c => c.Name == "rsc_order" && (c.Attribute("first")!.Value == b || c.Attribute("then")!.Value == a)))
                    constraints.Add(new XElement("rsc_order", new XAttribute("id", Id("ord")), new XAttribute("first", a), new XAttribute("then", b),
                        new XAttribute("kind", Pick(["Mandatory", "Optional"]))));
            }
        }
    }
}
