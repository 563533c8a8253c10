using System.CommandLine;
using HaCluster.Agents;
using HaCluster.Agents.Metadata;
using HaCluster.Cli.Configure;
using HaCluster.Core.Cib;

namespace HaCluster.Cli.Agents;

/// <summary>
/// <c>hacrm ra classes|list|info|exec</c>: what agents this machine has, what they take, and
/// running one action by hand — the operator's debugging tool, like <c>crm ra</c> and
/// <c>crm_resource --force-start</c>.
/// </summary>
public static class RaCommands
{
    /// <summary>Exit status of <c>ra exec</c> when the action timed out (as timeout(1) does).</summary>
    public const int ExitTimedOut = 124;

    private static Option<string?> OcfRootOption() => new("--ocf-root") { Description = "where OCF agents live (default: $OCF_ROOT or /usr/lib/ocf)" };

    public static Command Build()
    {
        var ra = new Command("ra", "resource agents installed on this machine: list, describe, run");
        ra.Add(BuildClasses());
        ra.Add(BuildList());
        ra.Add(BuildInfo());
        ra.Add(BuildExec());
        return ra;
    }

    /// <summary>
    /// A runner for interactive use: the real agents and HA_RSCTMP (so a resource started by hand
    /// is seen by the cluster), but private tools and spool, as the CLI may not run as root.
    /// </summary>
    internal static AgentRunner Runner(string? ocfRoot, TimeSpan? killGrace = null)
    {
        var defaults = new AgentPaths();
        var mine = Path.Combine(Path.GetTempPath(), $"hacrm-{Environment.UserName}");
        var paths = defaults with
        {
            OcfRoot = ocfRoot ?? defaults.OcfRoot,
            ToolsDirectory = Path.Combine(mine, "tools"),
            SpoolDirectory = Path.Combine(mine, "spool"),
        };
        return new AgentRunner(paths, new HaCluster.Agents.Processes.ProcessRunner { KillGrace = killGrace ?? TimeSpan.FromSeconds(2) });
    }

    private static Command BuildClasses()
    {
        var ocfRoot = OcfRootOption();
        var cmd = new Command("classes", "list agent classes (and OCF providers)") { ocfRoot };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var runner = Runner(parse.GetValue(ocfRoot));
            var providers = runner.List("ocf").Select(a => a.Split(':')[0]).Distinct().ToList();
            foreach (var c in AgentRunner.ClassNames)
                output.WriteLine(c == "ocf" && providers.Count > 0 ? $"ocf / {string.Join(' ', providers)}" : c);
            return ConfigureCommands.ExitOk;
        });
        return cmd;
    }

    private static Command BuildList()
    {
        var which = new Argument<string>("CLASS") { Description = "ocf, ocf:PROVIDER, lsb, service, systemd, upstart or stonith" };
        var ocfRoot = OcfRootOption();
        var cmd = new Command("list", "list the installed agents of a class") { which, ocfRoot };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var parts = parse.GetValue(which)!.Split(':', 2);
            if (!AgentRunner.ClassNames.Contains(parts[0]))
            {
                error.WriteLine($"hacrm ra list: unknown class '{parts[0]}' (classes: {string.Join(", ", AgentRunner.ClassNames)})");
                return ConfigureCommands.ExitUsage;
            }
            foreach (var agent in Runner(parse.GetValue(ocfRoot)).List(parts[0], parts.Length > 1 ? parts[1] : null))
                output.WriteLine(agent);
            return ConfigureCommands.ExitOk;
        });
        return cmd;
    }

    private static AgentSpec? ParseAgent(string text, TextWriter error, string command)
    {
        var agent = AgentSpec.TryParse(text);
        if (agent is null || (agent.Class == "ocf" && agent.Provider is null))
        {
            error.WriteLine($"hacrm ra {command}: '{text}' is not an agent (CLASS:[PROVIDER:]TYPE, e.g. ocf:heartbeat:IPaddr2, lsb:nginx, stonith:fence_xvm)");
            return null;
        }
        return agent;
    }

    private static Command BuildInfo()
    {
        var agentArg = new Argument<string>("AGENT") { Description = "e.g. ocf:heartbeat:IPaddr2 (a bare TYPE means ocf:heartbeat:TYPE)" };
        var ocfRoot = OcfRootOption();
        var cmd = new Command("info", "describe an agent: its parameters and actions") { agentArg, ocfRoot };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (ParseAgent(parse.GetValue(agentArg)!, error, "info") is not { } agent) return ConfigureCommands.ExitUsage;
            var runner = Runner(parse.GetValue(ocfRoot));
            if (runner.Locate(agent) is null)
            {
                error.WriteLine($"hacrm ra info: {agent} is not installed on this machine");
                return ConfigureCommands.ExitInvalid;
            }
            var metadata = runner.MetadataAsync(agent).GetAwaiter().GetResult();
            if (metadata is null)
            {
                error.WriteLine($"hacrm ra info: {agent} gave no usable meta-data");
                return ConfigureCommands.ExitInvalid;
            }
            PrintInfo(agent, metadata, output);
            return ConfigureCommands.ExitOk;
        });
        return cmd;
    }

    internal static void PrintInfo(AgentSpec agent, AgentMetadata md, TextWriter output)
    {
        output.WriteLine(md.ShortDescription is null ? $"{agent}" : $"{md.ShortDescription} ({agent})");
        output.WriteLine();
        if (md.LongDescription is { } longDesc && longDesc != md.ShortDescription)
        {
            foreach (var line in Wrap(longDesc, 78)) output.WriteLine(line);
            output.WriteLine();
        }
        if (md.Parameters.Count > 0)
        {
            output.WriteLine("Parameters (*: required, []: default):");
            output.WriteLine();
            foreach (var p in md.Parameters)
            {
                var mark = p.Required ? "*" : "";
                var def = p.Default is { Length: > 0 } d ? $" [{d}]" : "";
                var deprecated = p.Deprecated ? " (deprecated)" : "";
                output.WriteLine($"{p.Name}{mark} ({p.Type}{def}): {p.ShortDescription ?? ""}{deprecated}");
                if (p.LongDescription is { } ld && ld != p.ShortDescription)
                    foreach (var line in Wrap(ld, 74)) output.WriteLine("    " + line);
                output.WriteLine();
            }
        }
        output.WriteLine("Operations' defaults (advisory minimum):");
        output.WriteLine();
        foreach (var a in md.Actions)
        {
            var parts = new List<string>();
            if (a.Timeout is { } t) parts.Add($"timeout={Seconds(t)}");
            if (a.Interval is { } i && i > TimeSpan.Zero) parts.Add($"interval={Seconds(i)}");
            if (a.Depth is { } depth && depth != "0") parts.Add($"depth={depth}");
            var name = a.Role is { } role ? $"{a.Name}_{role}" : a.Name;
            output.WriteLine($"    {name,-16} {string.Join(' ', parts)}".TrimEnd());
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds == Math.Floor(t.TotalSeconds) ? $"{t.TotalSeconds:0}s" : $"{t.TotalMilliseconds:0}ms";

    private static IEnumerable<string> Wrap(string text, int width)
    {
        foreach (var paragraph in text.Replace("\r", "").Split("\n\n"))
        {
            var line = "";
            foreach (var word in paragraph.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > width)
                {
                    yield return line;
                    line = "";
                }
                line = line.Length == 0 ? word : line + " " + word;
            }
            if (line.Length > 0) yield return line;
        }
    }

    private static Command BuildExec()
    {
        var agentArg = new Argument<string>("AGENT") { Description = "e.g. ocf:heartbeat:Dummy, lsb:nginx, stonith:fence_xvm" };
        var actionArg = new Argument<string>("ACTION") { Description = "start, stop, monitor, promote, demote, meta-data, validate-all, ...; for fence agents also off, on, reboot, status, list" };
        var paramsArg = new Argument<string[]>("PARAM=VALUE") { Description = "agent parameters", Arity = ArgumentArity.ZeroOrMore };
        var timeout = new Option<string>("--timeout") { Description = "how long the action may take (default 20s)", DefaultValueFactory = _ => "20s" };
        var id = new Option<string?>("--id") { Description = "the resource instance name (OCF_RESOURCE_INSTANCE); default: the agent type" };
        var interval = new Option<string?>("--interval") { Description = "the op interval (a monitor with an interval is a recurring check, without one a probe)" };
        var meta = new Option<string[]>("--meta") { Description = "meta attributes NAME=VALUE (OCF_RESKEY_CRM_meta_NAME)", AllowMultipleArgumentsPerToken = true };
        var target = new Option<string?>("--target") { Description = "fence agents: the node to act on" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "also print the agent's stdout and stderr" };
        var ocfRoot = OcfRootOption();
        var cmd = new Command("exec", "run one agent action and exit with the agent's exit status") { agentArg, actionArg, paramsArg, timeout, id, interval, meta, target, verbose, ocfRoot };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (ParseAgent(parse.GetValue(agentArg)!, error, "exec") is not { } agent) return ConfigureCommands.ExitUsage;
            if (!TryPairs(parse.GetValue(paramsArg) ?? [], error, out var parameters) || !TryPairs(parse.GetValue(meta) ?? [], error, out var metaPairs))
                return ConfigureCommands.ExitUsage;
            if (Duration.ParseMillisecondsOrNull(parse.GetValue(timeout)) is not { } timeoutMs || timeoutMs <= 0)
            {
                error.WriteLine($"hacrm ra exec: --timeout '{parse.GetValue(timeout)}' is not a duration (e.g. 20s, 500ms, 2min)");
                return ConfigureCommands.ExitUsage;
            }
            long intervalMs = 0;
            if (parse.GetValue(interval) is { } iv && Duration.ParseMillisecondsOrNull(iv) is not { } parsedInterval)
            {
                error.WriteLine($"hacrm ra exec: --interval '{iv}' is not a duration");
                return ConfigureCommands.ExitUsage;
            }
            else if (parse.GetValue(interval) is { } iv2) intervalMs = Duration.ParseMillisecondsOrNull(iv2)!.Value;

            var action = new AgentAction
            {
                ResourceId = parse.GetValue(id) ?? agent.Type,
                Agent = agent,
                Name = parse.GetValue(actionArg)!,
                Parameters = parameters,
                Meta = metaPairs,
                Timeout = TimeSpan.FromMilliseconds(timeoutMs),
                Interval = TimeSpan.FromMilliseconds(intervalMs),
                Target = parse.GetValue(target),
                NodeName = Environment.MachineName,
            };
            var result = Runner(parse.GetValue(ocfRoot)).RunAsync(action).GetAwaiter().GetResult();
            output.WriteLine($"{agent} {action.Name}: {result.Summary()} in {result.Duration.TotalMilliseconds:0} ms");
            foreach (var u in result.AttributeUpdates)
                output.WriteLine(u.IsDelete ? $"  attribute deleted: {u.Name} ({u.Lifetime})" : $"  attribute set: {u.Name}={u.Value} ({u.Lifetime}{(u.Node is null ? "" : ", node " + u.Node)})");
            if (parse.GetValue(verbose) || action.Name is "meta-data" or "list" or "metadata")
            {
                if (result.Stdout.Length > 0) output.Write(result.Stdout.EndsWith('\n') ? result.Stdout : result.Stdout + "\n");
            }
            if (parse.GetValue(verbose) && result.Stderr.Length > 0) error.Write(result.Stderr.EndsWith('\n') ? result.Stderr : result.Stderr + "\n");
            return result.Status switch
            {
                ExecutionStatus.TimedOut => ExitTimedOut,
                _ => result.RawExitCode ?? (int)result.Code,
            };
        });
        return cmd;
    }

    private static bool TryPairs(string[] items, TextWriter error, out Dictionary<string, string> pairs)
    {
        pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=');
            if (eq <= 0)
            {
                error.WriteLine($"hacrm ra exec: '{item}' is not NAME=VALUE");
                return false;
            }
            pairs[item[..eq]] = item[(eq + 1)..];
        }
        return true;
    }
}
