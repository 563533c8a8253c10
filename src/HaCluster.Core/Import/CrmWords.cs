using HaCluster.Core.Cib;

namespace HaCluster.Core.Import;

/// <summary>How imported names become crm ids.</summary>
internal static class CrmWords
{
    /// <summary>A legal crm id from a source name ("10.0.0.1" stays; spaces and slashes become '_'), starting with a letter or '_'.</summary>
    public static string Id(string name)
    {
        var s = Ids.Valid(name);
        return s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') ? s : "r_" + s;
    }
}
