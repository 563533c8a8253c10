using HaCluster.Core.Control;
using HaCluster.Core.Policy;
using Prometheus;

namespace HaCluster.Daemon.Http;

/// <summary>
/// The Prometheus metrics of this node (prometheus-net, in a registry of its own): gauges are
/// read from the live status at each scrape (a label set that no longer exists, a removed
/// resource, goes with it); counters and histograms count what this daemon saw happen
/// (transitions it ran as DC, failovers it timed, alerts it ran, packets it dropped).
/// </summary>
public sealed class ClusterMetrics
{
    private readonly CollectorRegistry registry = Metrics.NewCustomRegistry();
    private readonly StatusSource source;

    private readonly Gauge nodeOnline, quorate, isDc, resourceActive, failCount, cibEpoch, cibAdminEpoch, cibNumUpdates, viewEpoch, nodesConfigured, resourcesConfigured;
    private readonly Counter dropped, heartbeats, transitions, viewChanges, alerts;
    private readonly Histogram transitionSeconds, failoverSeconds;

    public ClusterMetrics(StatusSource source, Func<(long Ran, long Failed, long Dropped)> alertCounts)
    {
        this.source = source;
        var f = Metrics.WithCustomRegistry(registry);
        nodeOnline = f.CreateGauge("hacluster_node_online", "1 when the node is a member of this node's membership view (online or suspect).", "node");
        quorate = f.CreateGauge("hacluster_quorate", "1 when this node's partition has quorum.");
        isDc = f.CreateGauge("hacluster_is_dc", "1 when this node is the designated coordinator.");
        resourceActive = f.CreateGauge("hacluster_resource_active", "1 for each node a resource (primitive or clone instance) is active on, with its role.", "resource", "node", "role");
        failCount = f.CreateGauge("hacluster_resource_failcount", "The resource's fail count on the node (all operations).", "resource", "node");
        cibAdminEpoch = f.CreateGauge("hacluster_cib_admin_epoch", "admin_epoch of this node's CIB version.");
        cibEpoch = f.CreateGauge("hacluster_cib_epoch", "epoch of this node's CIB version.");
        cibNumUpdates = f.CreateGauge("hacluster_cib_num_updates", "num_updates of this node's CIB version.");
        viewEpoch = f.CreateGauge("hacluster_membership_view_epoch", "The epoch of this node's membership view.");
        nodesConfigured = f.CreateGauge("hacluster_nodes_configured", "Nodes in cluster.yaml.");
        resourcesConfigured = f.CreateGauge("hacluster_resources_configured", "Primitives in the configuration (clone instances counted).");
        dropped = f.CreateCounter("hacluster_dropped_packets_total", "Cluster packets dropped by this node, by reason (bad HMAC, replay, malformed, ...).", "reason");
        heartbeats = f.CreateCounter("hacluster_heartbeats_sent_total", "Heartbeats this node sent.");
        viewChanges = f.CreateCounter("hacluster_membership_view_changes_total", "Membership views this node moved to.");
        transitions = f.CreateCounter("hacluster_transitions_total", "Transitions this node ran as DC, by how they ended.", "result");
        alerts = f.CreateCounter("hacluster_alerts_total", "Alert agent runs on this node, by outcome.", "result");
        transitionSeconds = f.CreateHistogram("hacluster_transition_duration_seconds", "How long transitions took from start to their last action's result.",
            new HistogramConfiguration { Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });
        failoverSeconds = f.CreateHistogram("hacluster_failover_seconds", "From the DC learning of a lost node or a failed operation to the end of the transition that recovered it.",
            new HistogramConfiguration { Buckets = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120] });
        registry.AddBeforeCollectCallback(() =>
        {
            Refresh();
            var (ran, failed, droppedAlerts) = alertCounts();
            alerts.WithLabels("ok").IncTo(ran);
            alerts.WithLabels("failed").IncTo(failed);
            alerts.WithLabels("dropped").IncTo(droppedAlerts);
        });
    }

    /// <summary>A transition ended on this node (the DC).</summary>
    public void TransitionEnded(TransitionEnded ended)
    {
        transitions.WithLabels(ended.Aborted ? "aborted" : "complete").Inc();
        transitionSeconds.Observe(ended.Took.TotalSeconds);
        if (ended.RecoveredAfter is { } took) failoverSeconds.Observe(took.TotalSeconds);
    }

    /// <summary>This node moved to a new membership view.</summary>
    public void ViewChanged() => viewChanges.Inc();

    /// <summary>The metrics in Prometheus' text format.</summary>
    public Task WriteAsync(Stream output, CancellationToken cancel) => registry.CollectAndExportAsTextAsync(output, cancel);

    private readonly object refreshing = new();

    /// <summary>Two scrapes at once refresh one after the other (a labelled gauge's series are replaced as a whole).</summary>
    private void Refresh()
    {
        lock (refreshing) RefreshNow();
    }

    private void RefreshNow()
    {
        if (source.Current() is not { } current) return;
        var (status, picture) = current;
        Replace(nodeOnline, status.Nodes.Select(n => (new[] { n.Name }, n.State is "online" or "suspect" ? 1.0 : 0.0)));
        quorate.Set(status.Quorate ? 1 : 0);
        isDc.Set(status.Dc == status.ThisNode ? 1 : 0);
        viewEpoch.Set(status.ViewEpoch);
        nodesConfigured.Set(status.Nodes.Count);
        heartbeats.IncTo(status.HeartbeatsSent);
        foreach (var (reason, count) in status.DroppedPackets) dropped.WithLabels(reason).IncTo(count);
        if (status.CibVersion?.Split('.') is [var a, var e, var u])
        {
            cibAdminEpoch.Set(double.Parse(a, System.Globalization.CultureInfo.InvariantCulture));
            cibEpoch.Set(double.Parse(e, System.Globalization.CultureInfo.InvariantCulture));
            cibNumUpdates.Set(double.Parse(u, System.Globalization.CultureInfo.InvariantCulture));
        }
        if (picture is null) return;
        var primitives = picture.AllPrimitives().ToList();
        resourcesConfigured.Set(primitives.Count);
        Replace(resourceActive, primitives.SelectMany(p => p.ActiveOn.Select(a => (new[] { p.Id, a.Key.Name, Roles.ActiveName([a.Value]) }, 1.0))));
        Replace(failCount, FailCounts(picture));
    }

    /// <summary>Each resource's fail count on each node (all its operations, INFINITY as 1,000,000), as the Migration Summary counts them.</summary>
    private static IEnumerable<(string[] Labels, double Value)> FailCounts(WorkingSet picture) =>
        picture.Nodes.SelectMany(node => node.ResourcesWithFailCounts().Select(rsc => (new[] { rsc, node.Name }, (double)node.Failures([rsc]).Count)));

    /// <summary>Sets a labelled gauge to exactly these series: any other label set it had is removed.</summary>
    private static void Replace(Gauge gauge, IEnumerable<(string[] Labels, double Value)> series)
    {
        var keep = new HashSet<string>();
        foreach (var (labels, value) in series)
        {
            gauge.WithLabels(labels).Set(value);
            keep.Add(string.Join('\0', labels));
        }
        foreach (var labels in gauge.GetAllLabelValues().ToList())
            if (!keep.Contains(string.Join('\0', labels))) gauge.RemoveLabelled(labels);
    }
}
