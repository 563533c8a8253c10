using System.Text;

namespace HaCluster.Agents.Attributes;

/// <summary>
/// Pacemaker-compatible stand-ins for the tools agents call to set node attributes:
/// <c>crm_attribute</c>, <c>crm_master</c>, <c>attrd_updater</c> and <c>crm_node</c>. Agents find
/// them through <c>HA_SBIN_DIR</c> (which ocf-shellfuncs honours) and <c>PATH</c>.
/// The stand-ins are tiny shell scripts, so a call costs a fork, not a runtime start: they append
/// their arguments to a per-action spool file that the executor reads when the action ends and
/// turns into <see cref="AttributeUpdate"/>s, and they answer queries from a snapshot of the
/// node's attributes (<see cref="AttributeSnapshots"/>).
/// </summary>
public static class AttributeTools
{
    public const string SpoolVariable = "HACLUSTER_ATTR_SPOOL";
    public const string SnapshotVariable = "HACLUSTER_ATTR_SNAPSHOT";
    public const string NodeVariable = "HACLUSTER_NODE";

    /// <summary>The tool names agents call through HA_SBIN_DIR.</summary>
    public static readonly string[] Names = ["crm_attribute", "crm_master", "attrd_updater", "crm_node", "crm_mon", "crm_resource", "cibadmin"];

    // Records the call (tool name and arguments, NUL-separated, terminated by an RS byte) and,
    // for a query, prints the value from the snapshot. The argument scan is only for queries;
    // updates are parsed by AttributeTools.ParseSpool, in C#, where it is tested.
    private const string Script = """
        #!/bin/sh
        # HaCluster stand-in for Pacemaker's tool of the same name (see docs/agents.md).
        tool=${0##*/}
        case "$tool" in
          crm_node)
            case "$1" in
              -n|--name|-l|--list|-p|--partition|"") echo "${HACLUSTER_NODE:-$(uname -n)}"; exit 0 ;;
              *) echo "crm_node: only -n, -l and -p are provided under HaCluster" >&2; exit 1 ;;
            esac ;;
          crm_mon|crm_resource|cibadmin)
            echo "$tool: not provided to agents under HaCluster; use hacrm" >&2; exit 1 ;;
        esac
        if [ -n "$HACLUSTER_ATTR_SPOOL" ]; then
          { printf '%s\0' "$tool" "$@"; printf '\036'; } >> "$HACLUSTER_ATTR_SPOOL"
        fi
        name=""; query=0; quiet=0; promotion=0
        [ "$tool" = crm_master ] && promotion=1
        while [ $# -gt 0 ]; do
          case "$1" in
            -n|--name) name=$2; shift ;;
            --name=*) name=${1#--name=} ;;
            -G|--query|--get-value) query=1 ;;
            -Q|--quiet) if [ "$tool" = attrd_updater ]; then query=1; else quiet=1; fi ;;
            -q) quiet=1 ;;
            -p|--promotion|--promotion=*) promotion=1 ;;
            -v|--update|-U|--value|-N|--node|-l|--lifetime|-t|--type|-d|--delay|-i|--id|-s|--set-name|-z|--utilization) shift ;;
          esac
          shift
        done
        [ $query -eq 1 ] || exit 0
        if [ $promotion -eq 1 ] && [ -z "$name" ]; then
          name="master-${OCF_RESOURCE_INSTANCE%%:*}"
        fi
        value=""
        if [ -n "$HACLUSTER_ATTR_SNAPSHOT" ] && [ -r "$HACLUSTER_ATTR_SNAPSHOT" ]; then
          value=$(awk -F '\t' -v n="$name" '$1 == n { v = $2; found = 1 } END { if (found) print v; else exit 1 }' "$HACLUSTER_ATTR_SNAPSHOT") || value=""
        fi
        if [ -z "$value" ]; then
          echo "Error performing operation: No such device or address" >&2; exit 105
        fi
        if [ "$tool" = attrd_updater ]; then
          echo "name=\"$name\" host=\"${HACLUSTER_NODE:-$(uname -n)}\" value=\"$value\""
        elif [ $quiet -eq 1 ]; then
          echo "$value"
        else
          echo "scope=status  name=$name value=$value"
        fi
        """;

    /// <summary>Writes the stand-ins into <paramref name="directory"/> (mode 0755), replacing older copies.</summary>
    public static void Install(string directory)
    {
        Directory.CreateDirectory(directory);
        var script = Script.Replace("\r\n", "\n") + "\n";
        foreach (var name in Names)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path) && File.ReadAllText(path) == script) continue;
            var temp = path + ".tmp";
            File.WriteAllText(temp, script);
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>
    /// Reads a spool written by the stand-ins: every update or delete, in call order. Queries
    /// and calls that set nothing are skipped. <paramref name="resourceInstance"/> names the
    /// promotion attribute ("master-RSC", clone instance number removed) for crm_master and
    /// <c>crm_attribute --promotion</c>.
    /// </summary>
    public static List<AttributeUpdate> ParseSpool(string content, string resourceInstance)
    {
        var updates = new List<AttributeUpdate>();
        foreach (var record in content.Split('\x1e', StringSplitOptions.RemoveEmptyEntries))
        {
            var args = record.Split('\0');
            // The record ends with a NUL, so the last element is empty.
            var list = args.Take(args.Length - 1).ToList();
            if (list.Count == 0) continue;
            if (Parse(list[0], list.Skip(1).ToList(), resourceInstance) is { } update) updates.Add(update);
        }
        return updates;
    }

    internal static AttributeUpdate? Parse(string tool, List<string> args, string resourceInstance)
    {
        string? name = null, value = null, node = null, lifetime = null, promotionRsc = null;
        bool delete = false, query = false, promotion = tool == "crm_master", update = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string? Next() => i + 1 < args.Count ? args[++i] : null;
            string? Inline(string prefix) => a.StartsWith(prefix + "=", StringComparison.Ordinal) ? a[(prefix.Length + 1)..] : null;
            switch (a)
            {
                case "-n" or "--name": name = Next(); break;
                case "-v" or "--update" or "-U" or "--value": value = Next(); update = true; break;
                case "-D" or "--delete": delete = true; break;
                case "-G" or "--query" or "--get-value": query = true; break;
                case "-Q" or "--quiet": if (tool == "attrd_updater") query = true; break;
                case "-N" or "--node": node = Next(); break;
                case "-l" or "--lifetime": lifetime = Next(); break;
                case "-t" or "--type": lifetime = Next() switch { "nodes" or "forever" => "forever", "crm_config" => "crm_config", _ => "reboot" }; break;
                case "-p" or "--promotion": promotion = true; break;
                case "-d" or "--delay" or "-i" or "--id" or "-s" or "--set-name": Next(); break;
                default:
                    if (Inline("--name") is { } n) name = n;
                    else if (Inline("--update") is { } u) { value = u; update = true; }
                    else if (Inline("--node") is { } nd) node = nd;
                    else if (Inline("--lifetime") is { } l) lifetime = l;
                    else if (Inline("--promotion") is { } p) { promotion = true; promotionRsc = p; }
                    break;
            }
        }
        if (query && !update && !delete) return null;
        if (!update && !delete) return null;
        if (promotion && name is null)
        {
            var rsc = promotionRsc ?? resourceInstance;
            var colon = rsc.IndexOf(':');
            name = "master-" + (colon >= 0 ? rsc[..colon] : rsc);
        }
        if (name is null || lifetime == "crm_config") return null;
        lifetime = lifetime switch { "forever" or "nodes" => "forever", _ => "reboot" };
        return new AttributeUpdate(name, delete ? null : value ?? "", lifetime, node);
    }
}
