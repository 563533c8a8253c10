using System.Net;
using System.Text;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Control;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Control;

/// <summary>CIB changes replicated as patches (as Pacemaker's CIB does), with a whole copy whenever a patch does not fit.</summary>
public sealed class CibPatchTests
{
    private static readonly CibVersion V1 = new(0, 4, 1);
    private static readonly CibVersion V2 = new(0, 5, 1);

    private static string Crm(int primitives, string extra = "") =>
        "property stonith-enabled=false\n" + string.Concat(Enumerable.Range(1, primitives).Select(i => $"primitive p{i} ocf:heartbeat:Dummy op monitor interval=10s\n")) + extra;

    private static byte[] Cib(string crm, CibVersion v) =>
        Encoding.UTF8.GetBytes(CibXmlWriter.Write(CrmParser.Parse(crm).Config!, v.Epoch, v.AdminEpoch, v.NumUpdates));

    private static ClusterBootstrap Bootstrap() => new()
    {
        ClusterName = "t",
        Nodes = Enumerable.Range(1, 3).Select(i => new NodeEntry($"node{i}", i, [IPAddress.Parse($"127.0.0.{10 + i}")])).ToList(),
        Rings = [new RingConfig(RingKind.Unicast, 5405)],
        Quorum = new QuorumConfig(3, false, false),
    };

    private static Moment At(double seconds) => new(TimeSpan.FromSeconds(seconds), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000) + TimeSpan.FromSeconds(seconds));

    [Fact]
    public void A_small_change_to_a_large_CIB_travels_as_a_patch_that_rebuilds_it_byte_for_byte()
    {
        var before = Cib(Crm(500), V1);
        var after = Cib(Crm(500, "location prefer-p7 p7 100: node2\n"), V2);
        var patch = CibPatch.Between(V1, before, V2, after);
        Assert.NotNull(patch);
        var encoded = new CibPatchMessage(patch).Encode();
        Assert.True(encoded.Length * 50 < after.Length, $"a patch of {encoded.Length} bytes for a CIB of {after.Length}");
        var decoded = Assert.IsType<CibPatchMessage>(ControllerMessage.Decode(encoded));
        Assert.Equal(after, decoded.Patch.ApplyTo(before));
    }

    [Fact]
    public void A_patch_does_not_apply_to_a_copy_other_than_its_base()
    {
        var before = Cib(Crm(50), V1);
        var other = Cib(Crm(50, "primitive q ocf:heartbeat:Dummy\n"), V1);
        var patch = CibPatch.Between(V1, before, V2, Cib(Crm(50, "location l p1 100: node2\n"), V2))!;
        Assert.Null(patch.ApplyTo(other));
        Assert.Null((patch with { Hunks = [new CibPatchHunk(100_000, 1, [])] }).ApplyTo(before));
    }

    [Fact]
    public void A_rewrite_is_sent_whole_not_as_a_patch()
    {
        Assert.Null(CibPatch.Between(V1, Cib(Crm(3), V1), V2, Cib("property stonith-enabled=false\nprimitive other ocf:heartbeat:IPaddr2 params ip=10.0.0.1\n", V2)));
    }

    [Fact]
    public void A_member_one_version_behind_gets_a_patch_and_one_further_behind_asks_for_and_gets_a_whole_copy()
    {
        var before = Cib(Crm(100), V1);
        var after = Cib(Crm(100, "location prefer-p7 p7 100: node2\n"), V2);
        // node1 had V1, then got V2 from node3: it keeps both.
        var source = new Controller(Bootstrap(), 1, V1, before);
        source.Step(At(0), new MessageReceived(3, new CibCopyMessage(V2, after)));
        var pushed = source.Step(At(0.1), new MembershipChanged(new MembershipView(1, [1, 2], true, true, 1, true, 2, 3), new Dictionary<int, CibVersion> { [2] = V1 }));
        var patch = Assert.Single(pushed.OfType<SendMessage>().Where(m => m.To == 2).Select(m => m.Message).OfType<CibPatchMessage>());

        var behind = new Controller(Bootstrap(), 2, V1, before);
        var stored = behind.Step(At(0.2), new MessageReceived(1, patch));
        Assert.Equal(after, Assert.Single(stored.OfType<StoreCib>()).Xml);
        Assert.Equal(V2, behind.CibVersion);

        var older = new CibVersion(0, 3, 1);
        var further = new Controller(Bootstrap(), 2, older, Cib(Crm(99), older));
        var asked = further.Step(At(0.2), new MessageReceived(1, patch));
        Assert.DoesNotContain(asked, c => c is StoreCib);
        var wanted = Assert.Single(asked.OfType<SendMessage>().Select(m => m.Message).OfType<CibCopyWantedMessage>());
        Assert.Equal(older, wanted.Have);
        var resent = source.Step(At(0.3), new MessageReceived(2, wanted));
        var whole = Assert.Single(resent.OfType<SendMessage>().Select(m => m.Message).OfType<CibCopyMessage>());
        Assert.Equal(after, whole.Xml);
        Assert.Contains(further.Step(At(0.4), new MessageReceived(1, whole)), c => c is StoreCib);
    }
}
