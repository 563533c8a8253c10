using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Cli.Operate;

/// <summary>
/// `--wait[=TIMEOUT]`: after a change is committed, waits until the cluster has carried it out,
/// as crm_resource --wait does: until the DC's picture holds the committed version (or a later
/// one) and the scheduler, run on that picture, has nothing left to do. Says which actions are
/// still pending whenever that changes. Exit 0 once settled, 1 when the time runs out.
/// </summary>
public static class Settle
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <param name="applied">For a change that is not a CIB version (a transient attribute): whether the DC's picture shows it yet.</param>
    public static int Wait(string socket, string? committedVersion, TimeSpan timeout, TextWriter output, TextWriter error, string command,
        Func<LiveState, bool>? applied = null)
    {
        var target = CibVersion.TryParse(committedVersion, out var v) ? v : (CibVersion?)null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<string> said = [];
        while (true)
        {
            var pending = Pending(socket, target, applied, error, command);
            if (pending is null) return Status.StatusCommand.ExitUnreachable;
            if (pending.Count == 0)
            {
                output.WriteLine($"settled after {clock.Elapsed.TotalSeconds:0.0}s");
                return LiveEdit.ExitOk;
            }
            if (!pending.SequenceEqual(said))
            {
                output.WriteLine("waiting for:");
                foreach (var line in pending) output.WriteLine("  " + line.Trim());
                said = pending;
            }
            if (clock.Elapsed > timeout)
            {
                error.WriteLine($"hacrm {command}: not settled after {timeout.TotalSeconds:0}s; still pending: {string.Join("; ", pending.Select(l => l.Trim()))}");
                return LiveEdit.ExitRefused;
            }
            Thread.Sleep(250);
        }
    }

    /// <summary>What the cluster still has to do (empty: settled); null when the daemon cannot be reached.</summary>
    private static IReadOnlyList<string>? Pending(string socket, CibVersion? target, Func<LiveState, bool>? applied, TextWriter error, string command)
    {
        if (LiveState.Read(socket, error, command) is not { } live) return null;
        if (live.PictureConfig is null || live.PictureStatus is null) return ["the DC's first status picture"];
        if (applied is not null && !applied(live)) return ["the DC to see the change"];
        if (target is { } t && live.PictureStatus.Version.CompareTo(t) < 0) return [$"the DC to schedule CIB {t} (its picture is of {live.PictureStatus.Version})"];
        var graph = Scheduler.Schedule(live.PictureConfig, live.PictureStatus, DateTimeOffset.UtcNow);
        if (graph.Actions.Count == 0) return [];
        var lines = graph.SummaryLines().ToList();
        return lines.Count > 0 ? lines : [$"{graph.Actions.Count(a => !a.Pseudo)} action(s) (monitors, notifications)"];
    }
}
