using System.Xml.Linq;

namespace HaCluster.Core.Status;

/// <summary>Writes a <see cref="ClusterStatus"/> as a CIB &lt;status&gt; section (the reader's inverse).</summary>
public static class CibStatusWriter
{
    /// <summary>
    /// A whole CIB: the configuration and this status, with the version, quorum and "now" a
    /// scheduler input carries (what crm_simulate and `hacrm simulate --xml` read).
    /// </summary>
    public static XElement WriteCib(HaCluster.Core.Cib.ClusterConfig config, ClusterStatus status, DateTimeOffset now,
        long adminEpoch = 0, long epoch = 1, long numUpdates = 0, string? dcUuid = null)
    {
        // crm_feature_set tells Pacemaker how the status is written: without it, it reads fail
        // counts the pre-3.0.13 way (one per resource) and misses fail-count-RSC#OP_INTERVAL.
        // (3.16.1, Pacemaker 2.1.5's own: a newer one makes crm_simulate refuse to inject.)
        var cib = new XElement("cib",
            new XAttribute("crm_feature_set", "3.16.1"),
            new XAttribute("validate-with", HaCluster.Core.Cib.Syntax.CibXmlWriter.ValidateWith),
            new XAttribute("admin_epoch", adminEpoch), new XAttribute("epoch", epoch), new XAttribute("num_updates", numUpdates),
            new XAttribute("have-quorum", status.HaveQuorum ? "1" : "0"));
        if (dcUuid is not null) cib.Add(new XAttribute("dc-uuid", dcUuid));
        cib.Add(new XAttribute("execution-date", now.ToUnixTimeSeconds()),
            HaCluster.Core.Cib.Syntax.CibXmlWriter.WriteConfiguration(config), Write(status));
        return cib;
    }

    public static XElement Write(ClusterStatus status)
    {
        var section = new XElement("status");
        foreach (var n in status.Nodes)
        {
            var state = new XElement("node_state", new XAttribute("id", n.Id));
            void Opt(string name, string? value) { if (value is not null) state.Add(new XAttribute(name, value)); }
            Opt("uname", n.Uname);
            Opt("in_ccm", n.InCcm);
            Opt("crmd", n.Crmd);
            Opt("join", n.Join);
            Opt("expected", n.Expected);
            Opt("shutdown", n.Shutdown);
            if (!n.TransientAttributes.IsEmpty)
                state.Add(new XElement("transient_attributes", new XAttribute("id", n.Id),
                    new XElement("instance_attributes", new XAttribute("id", $"status-{n.Id}"),
                        n.TransientAttributes.Select((a, i) => new XElement("nvpair", new XAttribute("id", $"status-{n.Id}-{i}"),
                            new XAttribute("name", a.Name), a.Value is null ? null : new XAttribute("value", a.Value))))));
            var lrm = new XElement("lrm", new XAttribute("id", n.Id));
            var resources = new XElement("lrm_resources");
            foreach (var r in n.Resources)
            {
                var rsc = new XElement("lrm_resource", new XAttribute("id", r.Id), new XAttribute("class", r.Class), new XAttribute("type", r.Type));
                if (r.Provider is not null) rsc.Add(new XAttribute("provider", r.Provider));
                if (r.ShutdownLock is { } locked) rsc.Add(new XAttribute("shutdown-lock", locked));
                foreach (var op in r.Operations)
                {
                    var e = new XElement("lrm_rsc_op", new XAttribute("id", op.Id), new XAttribute("operation", op.Task),
                        new XAttribute("interval", op.IntervalMs), new XAttribute("rc-code", op.RcCode), new XAttribute("op-status", op.OpStatus),
                        new XAttribute("call-id", op.CallId), new XAttribute("crm_feature_set", "3.16.2"),
                        new XAttribute("operation_key", op.OperationKey ?? $"{r.Id}_{op.Task}_{op.IntervalMs}"));
                    if (op.TransitionKey is not null) e.Add(new XAttribute("transition-key", op.TransitionKey));
                    if (op.TransitionMagic is not null) e.Add(new XAttribute("transition-magic", op.TransitionMagic));
                    if (op.LastRcChange is { } lrc) e.Add(new XAttribute("last-rc-change", lrc));
                    if (op.ExitReason is not null) e.Add(new XAttribute("exit-reason", op.ExitReason));
                    if (op.OpDigest is not null) e.Add(new XAttribute("op-digest", op.OpDigest));
                    if (op.MigrateSource is not null) e.Add(new XAttribute("migrate_source", op.MigrateSource));
                    if (op.MigrateTarget is not null) e.Add(new XAttribute("migrate_target", op.MigrateTarget));
                    if (op.RestartDigest is not null) e.Add(new XAttribute("op-restart-digest", op.RestartDigest));
                    if (op.ForceRestartParams is not null) e.Add(new XAttribute("op-force-restart", op.ForceRestartParams));
                    if (op.SecureDigest is not null) e.Add(new XAttribute("op-secure-digest", op.SecureDigest));
                    if (op.SecureParams is not null) e.Add(new XAttribute("op-secure-params", op.SecureParams));
                    rsc.Add(e);
                }
                resources.Add(rsc);
            }
            lrm.Add(resources);
            state.Add(lrm);
            section.Add(state);
        }
        if (!status.Tickets.IsEmpty)
            section.Add(new XElement("tickets", status.Tickets.Select(t => new XElement("ticket_state", new XAttribute("id", t.Id),
                new XAttribute("granted", t.Granted ? "true" : "false"), t.Standby ? new XAttribute("standby", "true") : null))));
        return section;
    }
}
