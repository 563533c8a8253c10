using System.Text.RegularExpressions;
using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Which fencing device fences a node, and from which member — Pacemaker's fencer rules, kept
/// pure so the controller and tests share them:
/// <list type="bullet">
/// <item>a device whose <c>pcmk_host_list</c> or <c>pcmk_host_map</c> names hosts can fence
///   only those; a device with neither is asked (dynamic list) and is assumed able;</item>
/// <item>with a fencing topology for the victim, its levels are tried in index order (only
///   the devices of the first level that has a usable device are used);</item>
/// <item>a device runs only on a member not banned from it by a -INFINITY location; a node
///   never fences itself; among the members the preferred ones come first (the caller's order);
///   a device that is started somewhere is preferred to one that is not.</item>
/// </list>
/// </summary>
public static class FencingDevices
{
    public static (string Node, string Device)? Choose(ClusterConfig config, string victim, IReadOnlyList<string> members, Func<string, bool> started)
    {
        var devices = config.AllResources().OfType<Primitive>().Where(p => config.AgentOf(p)?.Class == "stonith").ToList();
        var byId = devices.ToDictionary(d => d.Id);
        var candidates = devices.Where(d => CanFence(d, victim)).ToList();
        var levels = config.FencingLevels.Where(l => Targets(l, victim)).OrderBy(l => l.Index).ToList();
        if (levels.Count > 0)
        {
            foreach (var level in levels)
            {
                var levelDevices = level.Devices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(byId.ContainsKey).Select(id => byId[id]).ToList();
                if (Pick(config, levelDevices, victim, members, started) is { } chosen) return chosen;
            }
            return null;
        }
        return Pick(config, candidates, victim, members, started);
    }

    private static (string Node, string Device)? Pick(ClusterConfig config, List<Primitive> devices, string victim, IReadOnlyList<string> members, Func<string, bool> started)
    {
        foreach (var device in devices.OrderBy(d => started(d.Id) ? 0 : 1))
            foreach (var member in members)
                if (member != victim && !Banned(config, device.Id, member))
                    return (member, device.Id);
        return null;
    }

    /// <summary>Whether the device's host list or map covers the victim (no list: the agent is asked, so yes).</summary>
    public static bool CanFence(Primitive device, string victim)
    {
        var list = device.Param("pcmk_host_list");
        var map = device.Param("pcmk_host_map");
        if (list is null && map is null) return true;
        if (list is not null && list.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries).Contains(victim)) return true;
        // pcmk_host_map="node1:port1;node2:port2" (also with '=' or spaces).
        if (map is not null && map.Split([';', ' ', ','], StringSplitOptions.RemoveEmptyEntries)
                .Any(entry => entry.Split([':', '='], 2)[0] == victim)) return true;
        return false;
    }

    private static bool Banned(ClusterConfig config, string device, string node) =>
        config.Constraints.OfType<LocationConstraint>().Any(l =>
            l.Resource == device && l.Node == node && l.Score is { } s && s.Value <= -Score.InfinityValue);

    private static bool Targets(FencingLevel level, string victim)
    {
        if (level.Target is not null) return level.Target == victim;
        if (level.TargetPattern is not null)
        {
            try { return Regex.IsMatch(victim, level.TargetPattern); }
            catch (ArgumentException) { return false; }
        }
        return false;
    }
}
