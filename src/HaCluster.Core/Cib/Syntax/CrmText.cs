using System.Text;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>Quoting for crm shell output: bare when safe, double quotes otherwise.</summary>
public static class CrmText
{
    /// <summary>A word: bare when it cannot be mistaken for a comment, bracket or pair.</summary>
    public static string Quote(string value) =>
        value.Length > 0 && value.All(ch => IsBareChar(ch) || ch == '#') && value != "#" && !IsBracketWord(value) && !value.EndsWith('\\')
            ? value
            : ForceQuote(value);

    /// <summary>The value of a name=value pair may also hold '=' and '#' bare.</summary>
    public static string QuoteValue(string value) =>
        value.Length > 0 && value.All(ch => IsBareChar(ch) || ch is '=' or '#') && !value.EndsWith('\\')
            ? value
            : ForceQuote(value);

    private static string ForceQuote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in value)
        {
            if (ch is '"' or '\\') sb.Append('\\');
            sb.Append(ch);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>name=value; a pair without a value prints as a bare <c>name=</c>.</summary>
    public static string Pair(NvPair p) => p.Value is null ? p.Name + "=" : $"{p.Name}={QuoteValue(p.Value)}";
    public static string Pair(string name, string value) => $"{name}={QuoteValue(value)}";

    private static bool IsBareChar(char ch) =>
        !char.IsWhiteSpace(ch) && ch is not ('"' or '\'' or '=' or '#') && !char.IsControl(ch);

    private static bool IsBracketWord(string v) => v[0] is '(' or '[' or '{' || v[^1] is ')' or ']' or '}';
}
