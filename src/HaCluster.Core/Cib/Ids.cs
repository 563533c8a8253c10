namespace HaCluster.Core.Cib;

/// <summary>
/// The ids the writers generate for objects the operator did not name, shared by every
/// syntax so that a model read from XML, with these ids, keeps them null and round-trips.
/// </summary>
public static class Ids
{
    public static string Operation(string rsc, string name, string interval) => $"{rsc}-{name}-{interval}";

    public static string AttributeSet(string owner, string kind, int index) =>
        index == 0 ? $"{owner}-{kind}" : $"{owner}-{kind}-{index}";

    public static string Pair(string setId, string name) => $"{setId}-{name}";

    public static string Rule(string owner, int index) => index == 0 ? $"{owner}-rule" : $"{owner}-rule-{index}";

    public static string Expression(string rule, int index) => index == 0 ? $"{rule}-expr" : $"{rule}-expr-{index}";

    public static string ResourceSet(string constraint, int index) => $"{constraint}-set-{index}";

    public static string FencingLevel(string target, int index) => $"fl-{target}-{index}";

    public static string AlertRecipient(string alert, int index) => $"{alert}-recipient-{index}";

    public static string AlertSelectedAttribute(string alert, string name) => Valid($"{alert}-select-{name}");

    /// <summary>Ids Pacemaker would refuse are made valid the way it does: characters other than letters, digits, '-', '_', '.' become '_'.</summary>
    public static string Valid(string id) =>
        new(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());

    /// <summary>
    /// Property and defaults sets: a set without an id gets the default one (BASE) if it is free,
    /// else BASE-N; the model then keeps null only for a first set whose id is BASE. Every reader
    /// applies this, so the same sets compare equal whatever syntax they came from.
    /// </summary>
    public static EquatableArray<AttributeSet> NormalizeTopLevelSets(IEnumerable<AttributeSet> sets, string baseId)
    {
        var list = sets.ToList();
        var used = list.Where(s => s.Id is not null).Select(s => s.Id!).ToHashSet();
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Id is not null) continue;
            var id = used.Add(baseId) ? baseId : $"{baseId}-{i}";
            used.Add(id);
            list[i] = list[i] with { Id = id };
        }
        if (list.Count > 0 && list[0].Id == baseId) list[0] = list[0] with { Id = null };
        return list.ToEquatableArray();
    }
}
