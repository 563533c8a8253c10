using HaCluster.Core.Cib;

namespace HaCluster.Core.Tests.Cib;

/// <summary>
/// Seeded generator of random configuration models covering every construct the three syntaxes
/// share, with awkward values (spaces, quotes, '#', '=', backslashes, non-ASCII) so round-trip
/// tests exercise quoting. Same seed, same model.
/// </summary>
internal sealed class RandomModels(int seed)
{
    private readonly Random _rng = new(seed);
    private int _next;

    private string NewId(string prefix) => $"{prefix}{_next++}";
    private bool Chance(int percent) => _rng.Next(100) < percent;
    private T Pick<T>(params T[] items) => items[_rng.Next(items.Length)];

    private static readonly string[] AwkwardValues =
    {
        "plain", "with space", "quote\"inside", "single'quote", "hash#tag", "a=b=c", "back\\slash", "trailing\\",
        "ünïcödé", "(paren)", "[bracket]", "", "-inf", "123", "/dev/drbd/by-res/r0", "--bind-address=1.2.3.4", "#start",
    };

    private string Value() => Chance(70) ? Pick("10.0.0.1", "24", "eth0", "true", "/etc/x.conf") : Pick(AwkwardValues);

    private EquatableArray<NvPair> Pairs(int max = 3) =>
        Enumerable.Range(0, _rng.Next(1, max + 1)).Select(i => new NvPair($"k{i}_{_rng.Next(5)}", Chance(5) ? null : Value()))
            .DistinctBy(p => p.Name).ToEquatableArray();

    private EquatableArray<AttributeSet> Sets(int maxSets = 2)
    {
        if (Chance(40)) return EquatableArray<AttributeSet>.Empty;
        var n = Chance(80) ? 1 : _rng.Next(1, maxSets + 1);
        return Enumerable.Range(0, n).Select(_ => new AttributeSet(
            Chance(20) ? NewId("set") : null,
            Pairs(),
            Chance(15) ? RandomRule(allowId: false) : null,
            Chance(10) ? new Score(_rng.Next(-5, 100)) : null)).ToEquatableArray();
    }

    private Score RandomScore() => Pick(Score.Infinity, Score.MinusInfinity, new Score(_rng.Next(-1000, 1000)), Score.Zero);

    private Rule RandomRule(bool allowId = true, int depth = 0)
    {
        var count = _rng.Next(1, 4);
        var exprs = new List<RuleExpression>();
        for (int i = 0; i < count; i++)
        {
            var kind = _rng.Next(depth < 1 ? 5 : 4);
            exprs.Add(kind switch
            {
                0 => new AttributeExpression(Pick("#uname", "pingd", "site", "my attr"), Pick("defined", "not_defined")),
                1 => new AttributeExpression(Pick("#uname", "pingd", "rack"), Pick("eq", "ne", "lt", "gt", "lte", "gte"),
                    Pick("node1", "0", "with space", "1.2.3"), Chance(40) ? Pick("string", "integer", "number", "version") : null),
                2 => new DateExpression("gt", Start: "2020-01-01"),
                3 => Pick<RuleExpression>(
                    new DateExpression("in_range", "2020-01-01", "2021-01-01"),
                    new DateExpression("in_range", "2020-01-01", Duration: new[] { new NvPair("hours", "2") }),
                    new DateExpression("date_spec", DateSpec: new[] { new NvPair("hours", "9-16"), new NvPair("weekdays", "1-5") })),
                _ => RandomRule(allowId: false, depth + 1) with { Score = null, Role = null, ScoreAttribute = null },
            });
        }
        return new Rule(allowId && Chance(30) ? NewId("rule") : null, exprs.ToEquatableArray(),
            Chance(85) ? RandomScore() : null, null, count > 1 && Chance(50) ? "or" : null, depth == 0 && Chance(10) ? "Started" : null) is var r && r.Score is null
            ? r with { ScoreAttribute = "pingd" }
            : r;
    }

    private EquatableArray<Operation> Ops(bool promotable)
    {
        var ops = new List<Operation>();
        var n = _rng.Next(0, 4);
        for (int i = 0; i < n; i++)
        {
            var name = Pick("start", "stop", "monitor", "promote", "notify");
            var interval = name == "monitor" ? $"{10 + i}s" : "0";
            var attrs = new List<NvPair>();
            if (Chance(70)) attrs.Add(new NvPair("timeout", Pick("20s", "120s", "2min")));
            if (promotable && name == "monitor" && Chance(50)) attrs.Add(new NvPair("role", Pick("Master", "Slave")));
            if (Chance(20)) attrs.Add(new NvPair("on-fail", Pick("restart", "block", "fence")));
            var inst = Chance(10) ? new[] { new AttributeSet(null, new[] { new NvPair("OCF_CHECK_LEVEL", "10") }) }
                : Chance(10) ? new[] { new AttributeSet(null, Pairs()) } : EquatableArray<AttributeSet>.Empty;
            var meta = Chance(10) ? new[] { new AttributeSet(null, Pairs()) } : EquatableArray<AttributeSet>.Empty;
            ops.Add(new Operation(Chance(10) ? NewId("op") : null, name, interval, attrs.ToEquatableArray(), inst, meta));
        }
        return ops.DistinctBy(o => (o.Name, o.Interval)).ToEquatableArray();
    }

    private Primitive RandomPrimitive(bool promotable = false) => new(
        NewId("p"),
        Pick(new AgentSpec("ocf", "heartbeat", "IPaddr2"), new AgentSpec("ocf", "pacemaker", "Stateful"), new AgentSpec("lsb", null, "foo"),
            new AgentSpec("systemd", null, "nginx"), new AgentSpec("stonith", null, "fence_xvm")),
        Sets(), Sets(), Ops(promotable), null, Chance(10) ? Sets() : default,
        Chance(10) ? Value() : null);

    public ClusterConfig Next()
    {
        var nodes = Enumerable.Range(0, _rng.Next(0, 4)).Select(i =>
        {
            var uname = $"node{i}";
            return new NodeDefinition(Chance(50) ? uname : (i + 1).ToString(), uname, Chance(20) ? "member" : null,
                Chance(40) ? new[] { new AttributeSet(null, new[] { new NvPair("standby", Pick("on", "off")) }) } : default,
                Chance(20) ? new[] { new AttributeSet(null, new[] { new NvPair("cpu", "4") }) } : default);
        }).ToEquatableArray();

        var resources = new List<Resource>();
        for (int i = 0, n = _rng.Next(1, 6); i < n; i++)
        {
            switch (_rng.Next(4))
            {
                case 0: resources.Add(RandomPrimitive()); break;
                case 1:
                    resources.Add(new Group(NewId("g"), Enumerable.Range(0, _rng.Next(1, 4)).Select(_ => RandomPrimitive()).ToEquatableArray(), Sets()));
                    break;
                case 2:
                    var legacy = Chance(50);
                    var promotable = legacy || Chance(30);
                    var meta = promotable && !legacy ? Sets().Add(AttributeSet.Of(("promotable", "true"))) : Sets();
                    Resource child = Chance(70) ? RandomPrimitive(promotable)
                        : new Group(NewId("g"), new[] { RandomPrimitive(promotable) }, Sets());
                    resources.Add(new Clone(NewId("c"), child, meta, legacy));
                    break;
                default:
                    resources.Add(RandomPrimitive());
                    break;
            }
        }
        var ids = resources.Select(r => r.Id).ToArray();

        var constraints = new List<Constraint>();
        for (int i = 0, n = _rng.Next(0, 6); i < n; i++)
        {
            string R() => Pick(ids);
            switch (_rng.Next(4))
            {
                case 0:
                    constraints.Add(Chance(50)
                        ? new LocationConstraint(NewId("loc"), R(), "node1", RandomScore(), ResourceDiscovery: Chance(20) ? "never" : null)
                        : new LocationConstraint(NewId("loc"), Chance(80) ? R() : null, Rules: Enumerable.Range(0, _rng.Next(1, 3)).Select(_ => RandomRule()).ToEquatableArray(),
                            Role: Chance(10) ? "Started" : null) is var l && l.Resource is null ? l with { ResourcePattern = "^p" } : l);
                    break;
                case 1:
                    constraints.Add(Chance(60)
                        ? new ColocationConstraint(NewId("col"), RandomScore(), R(), R(), Chance(20) ? "Started" : null, Chance(20) ? "Master" : null)
                        : new ColocationConstraint(NewId("col"), RandomScore(), null, null, Sets: RandomSets(ids, roles: true), NodeAttribute: Chance(20) ? "site" : null));
                    break;
                case 2:
                    var kind = Chance(30) ? Pick("Mandatory", "Optional", "Serialize") : null;
                    var score = kind is null && Chance(70) ? RandomScore() : (Score?)null;
                    constraints.Add(Chance(60)
                        ? new OrderConstraint(NewId("ord"), R(), R(), Chance(50) ? Pick("start", "promote") : null, Chance(50) ? Pick("start", "stop") : null,
                            kind, score, Chance(20) ? "false" : null)
                        : new OrderConstraint(NewId("ord"), null, null, Kind: kind, Score: score, Sets: RandomSets(ids, roles: false)));
                    break;
                default:
                    constraints.Add(Chance(50)
                        ? new TicketConstraint(NewId("tkt"), "ticketA", R(), Chance(30) ? "Master" : null, Chance(50) ? "stop" : null)
                        : new TicketConstraint(NewId("tkt"), "ticketB", null, LossPolicy: "fence", Sets: RandomSets(ids, roles: true)));
                    break;
            }
        }

        return new ClusterConfig
        {
            Nodes = nodes,
            Resources = resources.ToEquatableArray(),
            Constraints = constraints.ToEquatableArray(),
            Properties = Chance(70) ? new[] { new AttributeSet(null, new[] { new NvPair("stonith-enabled", "false"), new NvPair("no-quorum-policy", Pick("ignore", "stop")) }) } : default,
            ResourceDefaults = Chance(50) ? new[] { AttributeSet.Of(("resource-stickiness", "100")) } : default,
            OperationDefaults = Chance(30) ? new[] { AttributeSet.Of(("timeout", "60s")) } : default,
            Tags = Chance(20) ? new[] { new Tag(NewId("tag"), new[] { ids[0] }) } : default,
        };
    }

    private EquatableArray<ResourceSet> RandomSets(string[] ids, bool roles)
    {
        var sets = new List<ResourceSet>();
        for (int i = 0, n = _rng.Next(1, 4); i < n; i++)
        {
            var members = Enumerable.Range(0, _rng.Next(1, 4)).Select(_ => Pick(ids)).Distinct().ToEquatableArray();
            var s = new ResourceSet(Chance(15) ? NewId("rs") : null, members,
                Chance(30) ? Pick("false", "true") : null, Chance(20) ? Pick("false", "true") : null,
                Chance(5) ? "listed" : null);
            if (roles && Chance(30)) s = s with { Role = Pick("Master", "Started") };
            if (!roles && Chance(30)) s = s with { Action = Pick("start", "promote") };
            sets.Add(HaCluster.Core.Cib.Syntax.CrmParser.NormalizeSet(s));
        }
        return sets.ToEquatableArray();
    }
}
