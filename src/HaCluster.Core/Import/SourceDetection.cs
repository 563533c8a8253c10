using System.Text.RegularExpressions;

namespace HaCluster.Core.Import;

/// <summary>Tells which stack a configuration file belongs to from its content (hacrm import without --from).</summary>
public static class SourceDetection
{
    public static SourceFormat? Detect(IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            var t = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (Regex.IsMatch(t, @"<cib[\s>]")) return SourceFormat.Pacemaker;
            if (Regex.IsMatch(t, @"<cluster[\s>]") && (t.Contains("<clusternodes", StringComparison.Ordinal) || t.Contains("<rm", StringComparison.Ordinal))) return SourceFormat.Rgmanager;
            if (Regex.IsMatch(t, @"^\s*totem\s*\{", RegexOptions.Multiline)) return SourceFormat.Corosync;
            if (Regex.IsMatch(t, @"^\s*(vrrp_instance|vrrp_script|global_defs|virtual_server)\b", RegexOptions.Multiline)) return SourceFormat.Keepalived;
            if (Regex.IsMatch(t, @"^\s*(node|ucast|mcast|bcast|keepalive|deadtime|auto_failback|crm)\s", RegexOptions.Multiline)
                || Regex.IsMatch(t, @"^\s*auth\s*\d+\s*$", RegexOptions.Multiline)) return SourceFormat.Heartbeat;
        }
        return null;
    }
}
