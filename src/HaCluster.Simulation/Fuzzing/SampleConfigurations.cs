namespace HaCluster.Simulation.Fuzzing;

/// <summary>
/// The fuzzers' valid starting points: the repository's samples (each seed stack brought over,
/// in crm syntax), found by walking up from the program, plus one small configuration that
/// uses every construct the samples may lack.
/// </summary>
public static class SampleConfigurations
{
    private const string EveryConstruct = """
        property stonith-enabled=true no-quorum-policy=stop
        rsc_defaults resource-stickiness=100
        primitive fence stonith:fence_dummy params pcmk_host_list="node1 node2"
        primitive vip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 cidr_netmask=24 op monitor interval=10s timeout=20s
        primitive db ocf:heartbeat:Dummy op monitor interval=5s meta migration-threshold=3
        primitive st ocf:pacemaker:Stateful op monitor interval=10s role=Promoted op monitor interval=11s role=Unpromoted
        group g vip db
        clone c-fence fence
        clone ms st meta promotable=true promoted-max=1 notify=true
        location l1 g rule 200: #uname eq node1 and (pingd gt 0 or defined health)
        location l2 g -inf: node3
        colocation with-primary inf: g ms:Promoted
        order after-promote Mandatory: ms:promote g:start
        node node1 attributes standby=off
        """;

    public static IReadOnlyList<string> Load()
    {
        var found = new List<string> { EveryConstruct };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var samples = Path.Combine(dir.FullName, "samples");
            if (!Directory.Exists(samples) || !File.Exists(Path.Combine(dir.FullName, "HaCluster.sln"))) continue;
            found.AddRange(Directory.GetFiles(samples, "*.crm").Order().Select(File.ReadAllText));
            break;
        }
        return found;
    }
}
