using System.Security.Cryptography;
using System.Text;
using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Parameter digests, as Pacemaker records them with every operation (op-digest,
/// op-restart-digest, op-secure-digest) so that a later run can tell whether a resource's
/// definition changed since it was started. The digest is the MD5 of the parameters written as
/// one XML element with sorted attributes (<c> &lt;parameters a="1" b="2"/&gt;\n</c>):
/// the resource's instance attributes for that node (its own, its template's, its parents'),
/// the operation's own instance attributes, and for recurring operations the timeout in ms.
/// Being byte-for-byte Pacemaker's means histories written by Pacemaker compare correctly.
/// </summary>
public static class OperationDigest
{
    public const string TimeoutKey = "CRM_meta_timeout";
    private const long DefaultTimeoutMs = 20_000;

    /// <summary>The resource's parameters on a node: instance attributes whose rules match there.</summary>
    public static SortedDictionary<string, string> ResourceParameters(ClusterConfig config, Primitive p, Func<Rule, bool> ruleMatches)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Merge(result, p.InstanceAttributes, ruleMatches);
        if (config.TemplateOf(p) is { } template) Merge(result, template.InstanceAttributes, ruleMatches);
        foreach (var parent in Parents(config, p))
            Merge(result, parent switch { Group g => g.InstanceAttributes, Clone c => c.InstanceAttributes, _ => default }, ruleMatches);
        return result;
    }

    /// <summary>Everything op-digest covers for one operation.</summary>
    public static SortedDictionary<string, string> OperationParameters(ClusterConfig config, Primitive p, string task, long intervalMs, Func<Rule, bool> ruleMatches)
    {
        var result = ResourceParameters(config, p, ruleMatches);
        var op = FindOperation(config, p, task, intervalMs);
        if (op is not null) Merge(result, op.InstanceAttributes, ruleMatches);
        if (intervalMs > 0)
        {
            var timeout = op?.Timeout ?? config.OperationDefault("timeout");
            result[TimeoutKey] = (Duration.ParseMillisecondsOrNull(timeout) is { } ms && ms > 0 ? ms : DefaultTimeoutMs).ToString();
        }
        return result;
    }

    /// <summary>The op-digest of an operation as it is configured now.</summary>
    public static string For(ClusterConfig config, Primitive p, string task, long intervalMs, Func<Rule, bool> ruleMatches) =>
        Of(OperationParameters(config, p, task, intervalMs, ruleMatches));

    /// <summary>
    /// The restart digest: only the parameters an agent cannot reload (the history's
    /// op-force-restart list, space separated).
    /// </summary>
    public static string Restart(SortedDictionary<string, string> all, string forceRestart)
    {
        var names = forceRestart.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return Of(all.Where(kv => names.Contains(kv.Key)));
    }

    /// <summary>
    /// The secure digest: the resource's parameters without the private ones (the history's
    /// op-secure-params list) and, for fencing devices, without Pacemaker's own pcmk_* options.
    /// A CIB whose passwords were masked still compares equal on it.
    /// </summary>
    public static string Secure(SortedDictionary<string, string> resourceParameters, string? secureParams, bool fencingDevice)
    {
        var secret = (secureParams ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return Of(resourceParameters.Where(kv => !secret.Contains(kv.Key) && !(fencingDevice && IsFencingOption(kv.Key))));
    }

    private static bool IsFencingOption(string name) => name.StartsWith("pcmk_", StringComparison.Ordinal) || name == "provides";

    /// <summary>MD5 (hex) of the parameters written as Pacemaker writes them for digests.</summary>
    public static string Of(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var text = new StringBuilder(" <parameters");
        foreach (var (name, value) in parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            text.Append(' ').Append(name).Append("=\"").Append(Escape(value)).Append('"');
        text.Append("/>\n");
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("<>&\"\n\r\t") < 0) return value;
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
            sb.Append(c switch
            {
                '<' => "&lt;", '>' => "&gt;", '&' => "&amp;", '"' => "&quot;",
                '\n' => "&#10;", '\r' => "&#13;", '\t' => "&#9;",
                _ => c.ToString(),
            });
        return sb.ToString();
    }

    /// <summary>Adds one level's values under those of the levels already merged (an earlier level wins).</summary>
    private static void Merge(SortedDictionary<string, string> into, EquatableArray<AttributeSet> sets, Func<Rule, bool> ruleMatches)
    {
        if (sets.IsEmpty) return;
        foreach (var (name, value) in sets.Evaluate(ruleMatches)) into.TryAdd(name, value);
    }

    /// <summary>The configured operation a history entry corresponds to (same name and interval).</summary>
    public static Operation? FindOperation(ClusterConfig config, Primitive p, string task, long intervalMs)
    {
        var own = p.Operations.FirstOrDefault(o => o.Name == task && o.IntervalMilliseconds == intervalMs);
        if (own is not null) return own;
        return config.TemplateOf(p)?.Operations.FirstOrDefault(o => o.Name == task && o.IntervalMilliseconds == intervalMs);
    }

    /// <summary>The group and/or clone a primitive sits in, innermost first.</summary>
    private static IReadOnlyList<Resource> Parents(ClusterConfig config, Primitive p) =>
        ParentIndex.GetValue(config, BuildParentIndex).GetValueOrDefault(p.Id) ?? [];

    /// <summary>
    /// Every primitive's containers, found in one walk of the configuration and kept as long as
    /// the configuration object lives: digests are computed for every operation in the status,
    /// and searching the tree for each one would cost resources x operations.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClusterConfig, Dictionary<string, Resource[]>> ParentIndex = new();

    private static Dictionary<string, Resource[]> BuildParentIndex(ClusterConfig config)
    {
        var index = new Dictionary<string, Resource[]>();
        void Walk(Resource r, Resource[] parents)
        {
            switch (r)
            {
                case Primitive prim:
                    index.TryAdd(prim.Id, parents);
                    break;
                case Group g:
                    foreach (var m in g.Members) Walk(m, [g, .. parents]);
                    break;
                case Clone c:
                    Walk(c.Child, [c, .. parents]);
                    break;
            }
        }
        foreach (var top in config.Resources) Walk(top, []);
        return index;
    }
}
