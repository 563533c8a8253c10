using System.CommandLine;
using System.Globalization;
using HaCluster.Cli.Configure;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using HaCluster.Core.Status.Views;

namespace HaCluster.Cli.Simulate;

/// <summary>
/// <c>hacrm simulate --xml CIB.xml</c>: what would the cluster do? Reads a Pacemaker CIB with its
/// status, runs the scheduler, and prints the current status and a Transition Summary in
/// crm_simulate's format.
/// </summary>
public static class SimulateCommand
{
    public static Command Build()
    {
        var xml = new Option<string?>("--xml", "-x") { Description = "a Pacemaker CIB with a status section" };
        var config = new Option<string?>("--config") { Description = "a configuration file (crm, xml or yaml) with no status" };
        var date = new Option<string?>("--date", "-t", "--set-datetime") { Description = "the time to schedule at (ISO 8601 or epoch seconds); default: the CIB's execution-date, else now" };
        var showScores = new Option<bool>("--show-scores", "-s") { Description = "print the allocation score of every resource on every node" };
        var explain = new Option<string?>("--explain") { Description = "say in words why this resource is where it is" };
        var showGraph = new Option<bool>("--graph", "-G") { Description = "print the transition's actions in execution order, each with what it waits for" };
        var run = new Option<bool>("--run", "-S") { Description = "carry the transition out (every action succeeds) and print the revised status" };
        var nodeUp = new Option<string[]>("--node-up", "-u") { Description = "bring a node online first (repeatable)" };
        var nodeDown = new Option<string[]>("--node-down", "-d") { Description = "take a node offline cleanly first (repeatable)" };
        var nodeFail = new Option<string[]>("--node-fail", "-f") { Description = "make a node fail (unclean, to be fenced) first (repeatable)" };
        var opFail = new Option<string[]>("--op-fail", "-i") { Description = "record an operation result first: RSC_TASK_INTERVAL@NODE=RC, e.g. web_monitor_10000@node1=7 (repeatable)" };
        var attribute = new Option<string[]>("--attribute", "-A") { Description = "set a transient node attribute first: NODE:NAME=VALUE, e.g. node1:master-db=100 (repeatable)" };
        var settle = new Option<bool>("--settle") { Description = "like --run, repeated until the cluster has nothing left to do (promotions that follow starts, say)" };
        var saveOutput = new Option<string?>("--save-output", "-O") { Description = "write the CIB (configuration and status: revised by --run or --settle, else as read) to FILE, like crm_simulate -O" };
        var cmd = new Command("simulate", "show what the cluster would do with a configuration and status")
            { xml, config, date, showScores, explain, showGraph, run, settle, saveOutput, nodeUp, nodeDown, nodeFail, opFail, attribute };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetValue(xml) ?? parse.GetValue(config);
            if (file is null)
            {
                error.WriteLine("hacrm simulate: give --xml CIB.xml or --config FILE");
                return ConfigureCommands.ExitUsage;
            }
            var result = ConfigureCommands.Load(file, parse.GetValue(xml) is not null ? "xml" : null, error, out var exit, validate: false);
            if (result is null) return exit;
            if (result.Config is null)
            {
                foreach (var d in result.Errors) error.WriteLine(ConfigureCommands.Describe(d, file));
                return ConfigureCommands.ExitInvalid;
            }
            foreach (var d in result.Errors) error.WriteLine(ConfigureCommands.Describe(d, file));
            var status = result.Status ?? ClusterStatus.Empty;
            // A configuration without a status: every configured node is up, the cluster quorate.
            if (result.Status is null)
            {
                status = status with { HaveQuorum = true };
                foreach (var n in result.Config.Nodes) status = StatusInjection.NodeUp(status, n.Uname);
            }
            foreach (var n in parse.GetValue(nodeUp) ?? []) status = StatusInjection.NodeUp(status, n);
            // A node brought up that the configuration does not list joins it, as a node listed
            // only in cluster.yaml joins the CIB when it first comes up.
            var joined = (parse.GetValue(nodeUp) ?? []).Where(n => result.Config.Nodes.All(c => c.Uname != n)).Distinct().Select(n => new NodeDefinition(n, n)).ToList();
            if (joined.Count > 0) result = result with { Config = result.Config with { Nodes = result.Config.Nodes.Concat(joined).ToEquatableArray() } };
            foreach (var n in parse.GetValue(nodeDown) ?? []) status = StatusInjection.NodeDown(status, n);
            foreach (var n in parse.GetValue(nodeFail) ?? []) status = StatusInjection.NodeFail(status, n);
            foreach (var op in parse.GetValue(opFail) ?? [])
            {
                if (StatusInjection.OperationResult(status, result.Config, op, out var problem) is not { } injected)
                {
                    error.WriteLine($"hacrm simulate: --op-fail {problem}");
                    return ConfigureCommands.ExitUsage;
                }
                status = injected;
            }
            foreach (var a in parse.GetValue(attribute) ?? [])
            {
                if (StatusInjection.Attribute(status, a, out var problem) is not { } injected)
                {
                    error.WriteLine($"hacrm simulate: --attribute {problem}");
                    return ConfigureCommands.ExitUsage;
                }
                status = injected;
            }
            if (parse.GetValue(date) is { } dateText && ParseDate(dateText) is null)
            {
                error.WriteLine($"hacrm simulate: --date '{dateText}' is not a time (ISO 8601, e.g. 2024-01-31T12:00:00Z, or epoch seconds)");
                return ConfigureCommands.ExitUsage;
            }
            var now = ParseDate(parse.GetValue(date)) ?? status.ExecutionDate ?? DateTimeOffset.UtcNow;
            if (status.ExecutionDate is { } ed && parse.GetValue(date) is null)
                output.WriteLine($"Using the original execution date of: {ed.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");

            // The current state is shown, then planned on: the status section is read once.
            var current = Scheduler.CurrentState(result.Config, status, now);
            output.WriteLine("Current cluster status:");
            StatusPrinter.Print(current, output);
            output.WriteLine();
            var (graph, ws) = Scheduler.Plan(current);
            if (parse.GetValue(showScores))
            {
                output.WriteLine("Allocation scores:");
                foreach (var line in Scheduler.ScoreLines(ws)) output.WriteLine(line);
                output.WriteLine();
            }
            if (parse.GetValue(explain) is { } rsc)
            {
                output.WriteLine($"Why {rsc} is where it is:");
                foreach (var line in Scheduler.Explain(ws, rsc)) output.WriteLine("  " + line);
                output.WriteLine();
            }
            output.WriteLine("Transition Summary:");
            foreach (var line in graph.SummaryLines()) output.WriteLine(line);
            if (parse.GetValue(showGraph))
            {
                output.WriteLine();
                output.WriteLine("Transition Graph:");
                foreach (var action in graph.TopologicalOrder() ?? graph.Actions) output.WriteLine("  " + action);
            }
            if (parse.GetValue(run) && !parse.GetValue(settle))
            {
                output.WriteLine();
                output.WriteLine("Executing Cluster Transition:");
                foreach (var action in graph.TopologicalOrder() ?? graph.Actions) output.WriteLine("  * " + action);
                output.WriteLine();
                output.WriteLine("Revised Cluster Status:");
                status = TransitionApplier.Apply(result.Config, status, graph, ws);
                StatusPrinter.Print(result.Config, status, now, output);
            }
            if (parse.GetValue(settle))
            {
                // Each transition is carried out and the next one computed from its result, as the
                // DC does, until one has nothing to do (bounded: a configuration that never settles
                // is reported, not looped on).
                const int MaxTransitions = 10;
                var transitions = 0;
                while (graph.Actions.Count > 0 && transitions < MaxTransitions)
                {
                    status = TransitionApplier.Apply(result.Config, status, graph, ws);
                    (graph, ws) = Scheduler.Run(result.Config, status, now);
                    transitions++;
                    if (graph.Actions.Count == 0) break;
                    output.WriteLine();
                    output.WriteLine($"Then (transition {transitions + 1}):");
                    foreach (var line in graph.SummaryLines()) output.WriteLine(line);
                }
                output.WriteLine();
                if (graph.Actions.Count > 0)
                {
                    error.WriteLine($"hacrm simulate: still acting after {MaxTransitions} transitions: the configuration does not settle");
                    output.WriteLine($"Cluster Status after {MaxTransitions} transitions (not settled):");
                }
                else output.WriteLine($"Settled Cluster Status (after {transitions} transition{(transitions == 1 ? "" : "s")}):");
                StatusPrinter.Print(result.Config, status, now, output);
            }
            Save(parse.GetValue(saveOutput), result.Config, status, now);
            return parse.GetValue(settle) && graph.Actions.Count > 0 ? ConfigureCommands.ExitInvalid : ConfigureCommands.ExitOk;
        });
        return cmd;
    }

    /// <summary>
    /// Writes the configuration and <paramref name="status"/> as one Pacemaker CIB, which
    /// crm_simulate and `hacrm simulate --xml` read back: a steady state made from a cold start
    /// with --settle, then a failure injected into it, is how large inputs are built.
    /// </summary>
    private static void Save(string? path, ClusterConfig config, ClusterStatus status, DateTimeOffset now)
    {
        if (path is null) return;
        File.WriteAllText(path, CibStatusWriter.WriteCib(config, status, now).ToString());
    }

    private static DateTimeOffset? ParseDate(string? text)
    {
        if (text is null) return null;
        if (long.TryParse(text, out var seconds)) return DateTimeOffset.FromUnixTimeSeconds(seconds);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
    }
}
