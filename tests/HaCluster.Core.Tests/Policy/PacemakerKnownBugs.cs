using System.Text.RegularExpressions;

namespace HaCluster.Core.Tests.Policy;

/// <summary>
/// Scheduler bugs of Pacemaker 2.1.5 (the crm_simulate Debian ships, our oracle) that later
/// Pacemaker releases fixed. Where crm_simulate's answer comes from one of them, a disagreement
/// is not ours to copy. Each check reads crm_simulate's own debug log of the case, so it judges
/// Pacemaker's answer, never ours; the differentials report such cases apart, beside the raw
/// agreement, and never count them as agreeing.
/// </summary>
internal static partial class PacemakerKnownBugs
{
    /// <summary>What bug of crm_simulate 2.1.5 shaped its answer on this CIB, or null if none did.</summary>
    internal static string? In(string cibXml)
    {
        var (_, log) = CrmSimulateDifferentialTests.RunCrmSimulate(cibXml, "-VVVVV");
        return ClonedGroupOverfill(log);
    }

    /// <summary>
    /// Pacemaker T678 (fixed in 2.1.7 by ClusterLabs/pacemaker#3143): an instance of a cloned group
    /// first tries its current node; when its members land on a better node instead, 2.1.5 takes
    /// back the group's assignment but not its members', and does not count them, so another
    /// instance may follow onto the same node: more instances on a node than clone-node-max.
    /// Seen in the log as more distinct instance numbers of one member assigned to a node (and not
    /// taken back: a primitive's early assignment is undone) than "at most N per host".
    /// </summary>
    internal static string? ClonedGroupOverfill(string log)
    {
        foreach (Match clone in CloneAssignment().Matches(log))
        {
            var perHost = int.Parse(clone.Groups["max"].Value);
            var assigned = new Dictionary<(string Resource, string Node), HashSet<string>>();
            // Early assignments taken back: (resource, instance number, the better node it went to).
            var takenBack = new List<(string Resource, string Instance, string Node)>();
            foreach (Match line in AssignmentLine().Matches(clone.Groups["body"].Value))
            {
                var resource = line.Groups["rsc"].Value;
                var instance = line.Groups["n"].Value;
                if (line.Groups["node"].Success)
                {
                    var key = (resource, line.Groups["node"].Value);
                    if (!assigned.TryGetValue(key, out var set)) assigned[key] = set = [];
                    set.Add(instance);
                    continue;
                }
                takenBack.Add((resource, instance, line.Groups["better"].Value));
                foreach (var (key, set) in assigned)
                    if (key.Resource == resource) set.Remove(instance);
            }
            // Only a group's early assignment leaves its members behind (a primitive's is undone:
            // its own "Assigning" lines were removed above); the overfilled node must be where
            // such a group instance's members stayed. (Not an instance held where it runs,
            // unmanaged or blocked, beside another: that is another matter.)
            var groupsTakenBack = takenBack.Where(t => !assigned.Keys.Any(k => k.Resource == t.Resource)).ToList();
            foreach (var ((resource, node), instances) in assigned)
                if (instances.Count > perHost && groupsTakenBack.Any(t => t.Node == node && instances.Contains(t.Instance)))
                    return $"Pacemaker 2.1.5 puts {instances.Count} instances of {resource} ({clone.Groups["clone"].Value}) on {node}, clone-node-max {perHost} (T678)";
        }
        return null;
    }

    [GeneratedRegex(@"Allocating up to \d+ (?<clone>\S+) instances .*?at most (?<max>\d+) per host(?<body>.*?)Allocated \d+ \k<clone> instances", RegexOptions.Singleline)]
    private static partial Regex CloneAssignment();

    [GeneratedRegex(@"Assigning (?<rsc>\S+):(?<n>\d+) to (?<node>\S+)|Not pre-allocating (?<rsc>\S+):(?<n>\d+) to \S+ because (?<better>\S+) is better")]
    private static partial Regex AssignmentLine();
}
