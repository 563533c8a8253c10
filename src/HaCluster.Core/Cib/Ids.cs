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
}
