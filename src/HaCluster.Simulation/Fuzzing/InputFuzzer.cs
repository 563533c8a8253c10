using System.Diagnostics;
using System.Net;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Control;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Simulation.Fuzzing;

/// <summary>One target's result: how many inputs, how many threw (a crash of hacrm or haclusterd), the slowest input.</summary>
public sealed record FuzzReport(string Target, long Inputs, long Crashes, TimeSpan Slowest, string? FirstCrash)
{
    public override string ToString() =>
        $"{Target}: {Inputs} inputs, {Crashes} crashes, slowest {Slowest.TotalMilliseconds:0} ms" + (FirstCrash is null ? "" : $"; first crash: {FirstCrash}");
}

/// <summary>
/// Feeds every reader of outside input with mutated copies of valid inputs (issue 22): packets into
/// a membership engine (random, damaged, and correctly signed with a damaged payload, which reaches
/// the heartbeat and message parsers), controller messages, the three configuration syntaxes with
/// validation, and cluster.yaml. Each must answer with an error or a drop, never throw; the
/// slowest single input is reported (a hang shows there).
/// </summary>
public static class InputFuzzer
{
    public static IEnumerable<FuzzReport> All(int perSyntax, int packets, int seed, IReadOnlyList<string> crmSeeds)
    {
        yield return Packets(packets, seed);
        yield return ControllerMessages(perSyntax, seed);
        foreach (var format in new[] { ConfigurationFormat.Crm, ConfigurationFormat.Xml, ConfigurationFormat.Yaml })
            yield return Configurations(format, crmSeeds, perSyntax, seed);
        yield return ClusterYaml(perSyntax, seed);
    }

    /// <summary>Runs <paramref name="count"/> inputs through <paramref name="run"/>, timing each and catching what it throws.</summary>
    private static FuzzReport Run<T>(string target, int count, Func<int, T> input, Action<T> run)
    {
        long crashes = 0;
        string? first = null;
        var slowest = TimeSpan.Zero;
        var clock = new Stopwatch();
        for (var i = 0; i < count; i++)
        {
            var x = input(i);
            clock.Restart();
            try
            {
                run(x);
            }
            catch (Exception e)
            {
                crashes++;
                first ??= $"input {i}: {e.GetType().Name}: {e.Message} {string.Join(" ", (e.StackTrace ?? "").Split('\n').Take(4).Select(l => l.Trim()))}";
                if (Environment.GetEnvironmentVariable("HASIM_FUZZ_DUMP") is { Length: > 0 } dump && crashes == 1)
                    File.WriteAllText(dump, x is byte[] b ? Convert.ToBase64String(b) : x?.ToString());
            }
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
        }
        return new FuzzReport(target, count, crashes, slowest, first);
    }

    public static FuzzReport Configurations(ConfigurationFormat format, IReadOnlyList<string> crmSeeds, int count, int seed)
    {
        var valid = crmSeeds.Select(crm => CrmParser.Parse(crm).Config).OfType<ClusterConfig>()
            .Select(c => ConfigurationFiles.Write(c, format)).ToList();
        var mutator = new Mutator(seed);
        return Run($"{format.ToString().ToLowerInvariant()} configurations", count, i => mutator.Mutate(valid[i % valid.Count]),
            text => ConfigurationFiles.ParseAndValidate(text, "fuzz", format));
    }

    /// <summary>cluster.yaml as operators write it, with rings of both kinds, timers, quorum, agents and logging.</summary>
    private static readonly string[] ClusterYamlSeeds =
    [
        """
        cluster_name: fuzz
        nodes:
          - { name: node1, id: 1, addresses: [10.0.0.1, 10.1.0.1] }
          - { name: node2, id: 2, addresses: [10.0.0.2, 10.1.0.2] }
        rings:
          - multicast: { group: 239.255.1.1, port: 5405, ttl: 1 }
          - unicast: { port: 5407 }
        timers: { keepalive: 200ms, warntime: 1s, deadtime: 2s, initdead: 20s }
        quorum: { two_node: true }
        key_file: /etc/hacluster/authkey
        api_max_request: 64M
        """,
        """
        cluster_name: big
        nodes:
          - name: a
            id: 10
            addresses: [192.168.1.10]
          - name: b
            id: 20
            addresses: [192.168.1.20]
          - name: c
            id: 30
            addresses: [192.168.1.30]
        rings:
          - unicast: { port: 5405, bind: 192.168.1.10, interface: eth0 }
        agents: { ocf_root: /usr/lib/ocf, rsctmp: /run/resource-agents }
        logging: { level: debug, file: /var/log/hacluster/haclusterd.log }
        state_dir: /var/lib/hacluster
        socket: /run/hacluster/api.sock
        """,
    ];

    public static FuzzReport ClusterYaml(int count, int seed)
    {
        var mutator = new Mutator(seed + 1);
        return Run("cluster.yaml", count, i => mutator.Mutate(ClusterYamlSeeds[i % ClusterYamlSeeds.Length]), text => ClusterBootstrapReader.Parse(text));
    }

    private static readonly ClusterBootstrap ThreeNodes = new()
    {
        ClusterName = "fuzz",
        Nodes = Enumerable.Range(1, 3).Select(i => new NodeEntry($"node{i}", i, [IPAddress.Parse($"10.0.0.{i}")])).ToList(),
        Rings = [new RingConfig(RingKind.Unicast, 5405)],
        Quorum = new QuorumConfig(3, false, false),
    };

    private static readonly byte[] PatchBase = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 40).Select(i => $"<primitive id=\"p{i}\"/>\n")));

    public static FuzzReport ControllerMessages(int count, int seed)
    {
        var report = new NodeReport("node2", 3, true, [new HistoryDto("a", "ocf", "heartbeat", "Dummy", [new OperationDto("a_last_0", "start", 0, 0, 0, 0, 4, 17, null, "d")])],
            new Dictionary<string, string> { ["x"] = "1" }, "0.4.0", false, 2, 3, [1, 2]);
        ControllerMessage[] valid =
        [
            new ReportRequest(3, 2, [1]), new ReportMessage(report), new ExecuteMessage(new ExecuteRequest(1, 2, "a", "start", 0, null, DcIncarnation: 9)),
            new ResultMessage(new ExecuteResult(1, 2, "a", "start", 0, 0, true, null)), new StatusPictureMessage("<cib/>"),
            new CommitMessage(new CommitRequest(5, "<cib/>", "0.4.0", false)), new CommitResultMessage(new CommitReply(5, true, null, "0.5.0")),
            new CleanupMessage("a"), new AttributeMessage(new AttributeChange("node2", "x", null)),
            new CibCopyMessage(new CibVersion(0, 5, 1), "<cib/>"u8.ToArray()),
            new CibPatchMessage(CibPatch.Between(new CibVersion(0, 5, 1), PatchBase, new CibVersion(0, 6, 1), PatchBase.Concat("<!-- changed -->\n"u8.ToArray()).ToArray())!),
            new CibCopyWantedMessage(new CibVersion(0, 4, 1)),
        ];
        var encoded = valid.Select(m => m.Encode()).ToArray();
        var mutator = new Mutator(seed + 2);
        // What decodes is handled by real controllers, the DC (node1) and a member (node2), as if it
        // came from the other: a message that decodes but holds nulls where a sender never puts
        // them must be dropped, not thrown on.
        var version = new CibVersion(0, 4, 1);
        var cib = System.Text.Encoding.UTF8.GetBytes(CibXmlWriter.Write(CrmParser.Parse("property stonith-enabled=false\nprimitive a ocf:heartbeat:Dummy\n").Config!, version.Epoch, version.AdminEpoch, version.NumUpdates));
        var wall = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var controllers = new[] { 1, 2 }.Select(self =>
        {
            var c = new Controller(ThreeNodes, self, version, cib);
            c.Step(new Moment(TimeSpan.Zero, wall), new MembershipChanged(new MembershipView(1, [1, 2, 3], true, true, 1, true, 3, 3),
                new[] { 1, 2, 3 }.Where(n => n != self).ToDictionary(n => n, _ => version)));
            return (Self: self, Controller: c);
        }).ToArray();
        var step = 0;
        return Run("controller messages", count, i => mutator.Mutate(encoded[i % encoded.Length]), bytes =>
        {
            if (ControllerMessage.Decode(bytes) is not { } message) return;
            var at = TimeSpan.FromMilliseconds(++step);
            foreach (var (self, controller) in controllers)
                controller.Step(new Moment(at, wall + at), new MessageReceived(self == 1 ? 2 : 1, message));
        });
    }

    /// <summary>
    /// Packets at node2 of a 3-node cluster, claiming to come from node1: a third random bytes,
    /// a third valid packets damaged (the HMAC drops them), a third valid headers with a damaged
    /// payload, correctly signed (what a peer with the key and a bug would send).
    /// </summary>
    public static FuzzReport Packets(int count, int seed)
    {
        var bootstrap = ThreeNodes;
        var key = ClusterKey.FromBytes(Enumerable.Range(7, 32).Select(b => (byte)b).ToArray());
        var now = TimeSpan.Zero;
        var sender = new MembershipEngine(bootstrap, 1, key, 100, now);
        var receiver = new MembershipEngine(bootstrap, 2, key, 200, now);
        var captured = new Capture();
        // Valid traffic to start from: heartbeats and message fragments, as node1 sends them.
        for (var i = 0; i < 20; i++)
        {
            now += TimeSpan.FromMilliseconds(100);
            if (i % 3 == 0) sender.SendMessage(2, new ReportRequest(i, 1, [1]).Encode());
            sender.Tick(now, captured);
            foreach (var p in captured.Take()) receiver.Receive(now, 0, p, out _);
            receiver.Tick(now, captured);
            foreach (var p in captured.Take()) sender.Receive(now, 0, p, out _);
        }
        sender.SendMessage(2, new StatusPictureMessage(new string('x', 5000)).Encode());
        sender.Tick(now, captured);
        var valid = captured.Take();
        var random = new Random(seed + 3);
        var mutator = new Mutator(seed + 3);
        var buffer = new byte[Packet.MaxDatagram + 64];
        long sequence = 1_000_000;
        var keyBytes = key.Bytes.ToArray();
        return Run("packets", count, i =>
        {
            var good = valid[random.Next(valid.Count)];
            switch (i % 3)
            {
                case 0:
                    var noise = new byte[random.Next(0, 1500)];
                    random.NextBytes(noise);
                    return noise;
                case 1:
                    return mutator.Mutate(good);
                default:
                    Packet.TryDecode(good, Packet.ClusterHash("fuzz"), keyBytes, out var header, out _);
                    var payload = mutator.Mutate(Packet.Payload(good, header).ToArray());
                    if (payload.Length > Packet.MaxPayload) payload = payload[..Packet.MaxPayload];
                    var type = random.Next(10) == 0 ? (MessageType)random.Next(1, 4) : header.Type;
                    var length = Packet.Encode(header with { Type = type, Sequence = ++sequence, PayloadLength = payload.Length }, payload, keyBytes, buffer);
                    return buffer[..length];
            }
        }, datagram =>
        {
            now += TimeSpan.FromMilliseconds(1);
            receiver.Receive(now, 0, datagram, out _, IPAddress.Parse("10.0.0.1"));
            if (random.Next(50) == 0)
            {
                receiver.Tick(now, captured);
                captured.Take();
                while (receiver.TryTakeMessage(out _, out var message)) ControllerMessage.Decode(message);
                receiver.TakeEvents();
            }
        });
    }

    private sealed class Capture : IPacketSink
    {
        private readonly List<byte[]> packets = new();

        public void Send(int ring, int? destination, ReadOnlySpan<byte> datagram)
        {
            if (destination is null or 2) packets.Add(datagram.ToArray());
        }

        public List<byte[]> Take()
        {
            var taken = packets.ToList();
            packets.Clear();
            return taken;
        }
    }
}
