namespace HaCluster.Core.Import;

/// <summary>How imported names and values are written into crm syntax.</summary>
internal static class CrmWords
{
    /// <summary>A legal crm id from a source name ("10.0.0.1" stays; spaces and slashes become '_').</summary>
    public static string Id(string name)
    {
        var s = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').ToArray());
        return s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') ? s : "r_" + s;
    }

    /// <summary>A parameter value, quoted when it has spaces, quotes or semicolons.</summary>
    public static string Value(string value) =>
        value.Length > 0 && value.All(c => !char.IsWhiteSpace(c) && c is not ('"' or '\\' or ';')) ? value : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
