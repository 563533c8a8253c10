namespace HaCluster.Simulation;

/// <summary>Applies a plan's faults at their time and takes them back at their end; heals everything at the end of the fault phase.</summary>
internal sealed class FaultInjector(Simulation sim)
{
    public void Schedule(Fault fault)
    {
        sim.At(fault.At, () => Apply(fault));
        sim.At(fault.At + fault.Duration, () => Revert(fault));
    }

    private SimulatedNode Node(Fault f) => sim.Nodes[f.Nodes[0] - 1];

    private void Apply(Fault f)
    {
        sim.Trace("fault", f.ToString());
        switch (f.Kind)
        {
            case FaultKind.CrashDaemon:
                sim.CrashDaemon(Node(f));
                break;
            case FaultKind.PowerLoss:
                sim.PowerOff(Node(f), "power lost");
                break;
            case FaultKind.Pause:
                Node(f).Daemon?.Pause();
                sim.Disturbed();
                break;
            case FaultKind.Partition or FaultKind.OneWayPartition:
                sim.Network.Partition(f.Nodes.ToList(), sim.Nodes.Select(n => n.Id), oneWay: f.Kind == FaultKind.OneWayPartition);
                sim.Disturbed();
                break;
            case FaultKind.FlappingPartition:
                Flap(f, f.At + f.Duration, cut: true);
                break;
            case FaultKind.Loss:
                sim.Network.Loss = f.Amount;
                sim.Disturbed();
                break;
            case FaultKind.Duplicate:
                sim.Network.Duplicate = f.Amount;
                sim.Disturbed();
                break;
            case FaultKind.DelaySpike:
                sim.Network.Spike = TimeSpan.FromMilliseconds(f.Amount);
                sim.Disturbed();
                break;
            case FaultKind.ClockJump:
                Node(f).Machine.WallOffset += TimeSpan.FromSeconds(f.Amount);
                break;
            case FaultKind.ResourceDies:
                var machine = Node(f).Machine;
                if (machine.Resources.Count > 0)
                {
                    var victim = machine.Resources.Keys.OrderBy(k => k, StringComparer.Ordinal).ElementAt(sim.Random.Next(machine.Resources.Count));
                    machine.Resources.Remove(victim);
                    sim.Trace(Node(f).Name, $"resource {victim} died");
                }
                break;
            case FaultKind.StartFailures or FaultKind.StopHangs or FaultKind.PromoteFailures or FaultKind.FencingFails:
                SetAgentFault(f.Kind, f.Amount);
                break;
            case FaultKind.CrashDuringCommit:
                // The DC (whoever it is then) dies in its next CIB write; a commit soon after makes one.
                if (sim.Nodes.FirstOrDefault(n => n.Daemon is { Alive: true } d && d.Controller.IsDc) is { } dc)
                {
                    dc.Disk.CrashOnNextWrite = true;
                    sim.Trace("fault", $"{dc.Name} (the DC) will crash in its next CIB write");
                }
                break;
        }
    }

    private void Revert(Fault f)
    {
        switch (f.Kind)
        {
            case FaultKind.CrashDaemon or FaultKind.CrashDuringCommit:
                foreach (var n in sim.Nodes.Where(n => n.Disk.CrashOnNextWrite)) n.Disk.CrashOnNextWrite = false;
                if (f.Kind == FaultKind.CrashDaemon) sim.StartDaemon(Node(f));
                break;
            case FaultKind.PowerLoss:
                sim.PowerOn(Node(f));
                break;
            case FaultKind.Pause:
                Node(f).Daemon?.Resume();
                sim.Disturbed();
                break;
            case FaultKind.Partition or FaultKind.OneWayPartition:
                sim.Network.Partition(f.Nodes.ToList(), sim.Nodes.Select(n => n.Id), oneWay: f.Kind == FaultKind.OneWayPartition, undo: true);
                sim.Disturbed();
                break;
            case FaultKind.FlappingPartition:
                if (flapping.Remove(f)) Uncut(f);
                break;
            case FaultKind.Loss:
                sim.Network.Loss = 0;
                sim.Disturbed();
                break;
            case FaultKind.Duplicate:
                sim.Network.Duplicate = 0;
                sim.Disturbed();
                break;
            case FaultKind.DelaySpike:
                sim.Network.Spike = TimeSpan.Zero;
                sim.Disturbed();
                break;
            case FaultKind.ClockJump:
                // The daemon restarts with its clock still off: it must be let back in.
                sim.CrashDaemon(Node(f));
                sim.StartDaemon(Node(f));
                break;
            case FaultKind.StartFailures or FaultKind.StopHangs or FaultKind.PromoteFailures or FaultKind.FencingFails:
                SetAgentFault(f.Kind, 0);
                break;
        }
    }

    /// <summary>How likely the agents' operations of this kind fail from now on.</summary>
    private void SetAgentFault(FaultKind kind, double probability)
    {
        var faults = sim.AgentFaults;
        switch (kind)
        {
            case FaultKind.StartFailures: faults.StartFails = probability; break;
            case FaultKind.StopHangs: faults.StopHangs = probability; break;
            case FaultKind.PromoteFailures: faults.PromoteFails = probability; break;
            case FaultKind.FencingFails: faults.FencingFails = probability; break;
        }
    }

    /// <summary>Flapping partitions now cut.</summary>
    private readonly HashSet<Fault> flapping = new();

    private void Uncut(Fault f)
    {
        sim.Network.Partition(f.Nodes.ToList(), sim.Nodes.Select(n => n.Id), oneWay: false, undo: true);
        sim.Disturbed();
    }

    /// <summary>A partition that comes and goes every 0.3-1.5 s until <paramref name="until"/>.</summary>
    private void Flap(Fault f, TimeSpan until, bool cut)
    {
        if (sim.Now >= until) return;
        if (cut)
        {
            sim.Network.Partition(f.Nodes.ToList(), sim.Nodes.Select(n => n.Id), oneWay: false);
            flapping.Add(f);
        }
        else if (flapping.Remove(f)) Uncut(f);
        sim.Disturbed();
        var next = sim.Now + TimeSpan.FromMilliseconds(300 + sim.Random.Next(1200));
        if (next < until) sim.At(next, () => Flap(f, until, !cut));
    }

    /// <summary>The end of the fault phase: the network heals, agents behave, paused daemons run, dead ones start, machines are powered on.</summary>
    public void HealAll()
    {
        sim.Trace("sim", "faults end: network healed, agents behave, every node powered on and its daemon running");
        sim.Network.Heal();
        sim.AgentFaults.Clear();
        foreach (var n in sim.Nodes)
        {
            n.Disk.CrashOnNextWrite = false;
            if (n.Daemon is { Alive: true, Paused: true } d) d.Resume();
            if (!n.Machine.PoweredOn) sim.PowerOn(n);
            else sim.StartDaemon(n);
        }
        sim.Disturbed();
    }
}
