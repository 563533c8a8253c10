using System.CommandLine;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Policy;

namespace HaCluster.Cli.Operate;

/// <summary>
/// `hacrm resource ...`, `hacrm node ...` and `hacrm property NAME=VALUE`: everyday operations,
/// named as crm shell names them. A change is one committed configuration change (target-role,
/// cli-prefer / cli-ban location, node attribute, cluster property), as crm_resource and
/// crm_attribute make them; every change takes --wait[=TIMEOUT]. The looking commands (status,
/// locate, failcount show, node list/show) read the DC's last picture.
/// </summary>
public static class OperateCommands
{
    public static IEnumerable<Command> Build(Option<string> socket)
    {
        yield return Resource(socket);
        yield return Node(socket);
        yield return Property(socket);
        yield return AttributeCommand.Build(socket);
    }

    /// <summary>A command that commits one edit, with --wait; the edit may need the live state (a ban's default node).</summary>
    private static Command Change(string name, string description, Option<string> socket, string command,
        Func<System.CommandLine.ParseResult, TextWriter, Func<ClusterConfig, ClusterConfig>?> edit, params Symbol[] symbols)
    {
        var cmd = new Command(name, description);
        foreach (var s in symbols)
        {
            if (s is Argument a) cmd.Add(a);
            else if (s is Option o) cmd.Add(o);
        }
        var wait = LiveEdit.WaitOption();
        cmd.Add(wait);
        cmd.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!LiveEdit.TryWait(parse, wait, error, command, out var timeout)) return 2;
            Func<ClusterConfig, ClusterConfig>? change;
            try
            {
                change = edit(parse, error);
            }
            catch (UsageError e)
            {
                error.WriteLine($"hacrm {command}: {e.Message}");
                return 2;
            }
            catch (DaemonUnreachable)
            {
                return StatusCommand.ExitUnreachable; // (said by LiveState.Read)
            }
            if (change is null) return LiveEdit.ExitRefused;
            return LiveEdit.Commit(parse.GetValue(socket)!, change, false, parse.InvocationConfiguration.Output, error, command, timeout);
        });
        return cmd;
    }

    private static Argument<string> Rsc() => new("RESOURCE") { Description = "the resource id" };

    private static Command Resource(Option<string> socket)
    {
        var resource = new Command("resource", "start, stop, restart, move, ban, promote or demote a resource, clean up its failures, or say where it runs");
        var r1 = Rsc();
        resource.Add(Change("start", "allow the resource to run (target-role=Started)", socket, "resource start",
            (p, _) => ConfigurationEdits.ResourceAction("start", p.GetValue(r1)!), r1));
        var r2 = Rsc();
        resource.Add(Change("stop", "stop the resource everywhere (target-role=Stopped)", socket, "resource stop",
            (p, _) => ConfigurationEdits.ResourceAction("stop", p.GetValue(r2)!), r2));
        var r3 = Rsc();
        var node = new Argument<string>("NODE") { Description = "where it must run" };
        var move = Change("move", "make the resource run on NODE (a cli-prefer location; remove it with clear); alias migrate, as in crm", socket, "resource move",
            (p, _) => ConfigurationEdits.ResourceAction("move", p.GetValue(r3)!, p.GetValue(node)!), r3, node);
        // crm's resource migrate is its move; with allow-migrate=true the move is a live migration.
        move.Aliases.Add("migrate");
        resource.Add(move);
        var r8 = Rsc();
        var banNode = new Argument<string?>("NODE") { Description = "the node to keep it off (default: the one node it runs on now)", Arity = ArgumentArity.ZeroOrOne };
        resource.Add(Change("ban", "keep the resource off NODE (a cli-ban location of -INFINITY; remove it with clear)", socket, "resource ban",
            (p, error) => BanEdit(p.GetValue(socket)!, p.GetValue(r8)!, p.GetValue(banNode), error), r8, banNode));
        resource.Add(RestartCommand.Build(socket));
        var r6 = Rsc();
        resource.Add(Change("promote", "let a promotable clone (or its resource) be promoted (target-role=Promoted)", socket, "resource promote",
            (p, _) => ConfigurationEdits.ResourceAction("promote", p.GetValue(r6)!), r6));
        var r7 = Rsc();
        resource.Add(Change("demote", "keep a promotable clone (or its resource) unpromoted everywhere (target-role=Unpromoted)", socket, "resource demote",
            (p, _) => ConfigurationEdits.ResourceAction("demote", p.GetValue(r7)!), r7));
        var r4 = Rsc();
        var clear = Change("clear", "remove the constraints move and ban left (aliases unmove, unmigrate, unban, as in crm)", socket, "resource clear",
            (p, _) => ConfigurationEdits.ResourceAction("clear", p.GetValue(r4)!), r4);
        foreach (var alias in new[] { "unmove", "unmigrate", "unban" }) clear.Aliases.Add(alias);
        resource.Add(clear);
        resource.Add(Cleanup(socket));
        resource.Add(Locate(socket, "status", "where the resource (or every resource) runs, as crm resource status says it"));
        resource.Add(Locate(socket, "locate", "where the resource runs (crm_resource --locate)", required: true));
        resource.Add(FailcountCommand.Build(socket));
        return resource;
    }

    /// <summary>A ban's node: the one given, or the one node the resource runs on now.</summary>
    private static Func<ClusterConfig, ClusterConfig>? BanEdit(string socket, string id, string? node, TextWriter error)
    {
        if (node is null)
        {
            var live = LiveState.Read(socket, error, "resource ban") ?? throw new DaemonUnreachable();
            var where = live.Where(id);
            if (where.Count != 1)
            {
                error.WriteLine($"hacrm resource ban: {id} runs on {(where.Count == 0 ? "no node" : string.Join(", ", where.Select(w => w.Node)))}: name the node to keep it off");
                return null;
            }
            node = where[0].Node;
        }
        return c => ConfigurationEdits.Ban(c, id, node);
    }

    private static Command Cleanup(Option<string> socket)
    {
        var r5 = Rsc();
        var cleanup = new Command("cleanup", "forget the resource's failures and history on every node, and probe it again (alias refresh, as in crm)") { r5 };
        cleanup.Aliases.Add("refresh");
        cleanup.SetAction(parse =>
        {
            var reply = ApiClient.Call(parse.GetValue(socket)!, new ApiRequest("cleanup", new Dictionary<string, string> { ["resource"] = parse.GetValue(r5)! }), out var problem);
            if (reply is null || !reply.Ok)
            {
                parse.InvocationConfiguration.Error.WriteLine($"hacrm resource cleanup: {problem ?? reply?.Error}");
                return reply is null ? StatusCommand.ExitUnreachable : LiveEdit.ExitRefused;
            }
            parse.InvocationConfiguration.Output.WriteLine($"cleaning up {parse.GetValue(r5)} on every node: its fail counts are cleared and it is probed again");
            return LiveEdit.ExitOk;
        });
        return cleanup;
    }

    /// <summary>`resource status [RSC]` / `resource locate RSC`: "resource X is running on: NODE [Promoted]", or "is NOT running".</summary>
    private static Command Locate(Option<string> socket, string name, string description, bool required = false)
    {
        var rsc = new Argument<string?>("RESOURCE") { Description = "the resource id", Arity = required ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne };
        var cmd = new Command(name, description) { rsc };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (LiveState.Read(parse.GetValue(socket)!, error, "resource " + name) is not { } live) return StatusCommand.ExitUnreachable;
            if (live.PictureConfig is null)
            {
                error.WriteLine($"hacrm resource {name}: no status from the DC yet");
                return LiveEdit.ExitRefused;
            }
            var ids = parse.GetValue(rsc) is { } one ? [one] : live.PictureConfig.Resources.Select(r => r.Id).ToList();
            var exit = LiveEdit.ExitOk;
            foreach (var id in ids)
            {
                if (live.PictureConfig.FindResource(id) is null)
                {
                    error.WriteLine($"hacrm resource {name}: no resource '{id}'");
                    exit = LiveEdit.ExitRefused;
                    continue;
                }
                var where = live.Where(id);
                if (where.Count == 0) output.WriteLine($"resource {id} is NOT running");
                foreach (var (n, role) in where)
                    output.WriteLine($"resource {id} is running on: {n}{(role is Role.Promoted ? " Promoted" : "")}");
            }
            return exit;
        });
        return cmd;
    }

    private static Command Node(Option<string> socket)
    {
        var nodeCmd = new Command("node", "list the nodes, show one, put one in standby or maintenance, or back online (default: this node)");
        Command Action(string verb, string description)
        {
            var n = new Argument<string?>("NODE") { Description = "the node's name (default: this node, as crm node does)", Arity = ArgumentArity.ZeroOrOne };
            return Change(verb, description, socket, "node " + verb, (p, error) =>
                ConfigurationEdits.NodeAction(verb, p.GetValue(n) ?? ThisNode(p.GetValue(socket)!, error, "node " + verb)), n);
        }
        nodeCmd.Add(Action("standby", "move every resource off the node (standby=on)"));
        nodeCmd.Add(Action("online", "let the node run resources again (standby=off)"));
        nodeCmd.Add(Action("maintenance", "stop managing the node's resources (maintenance=on)"));
        nodeCmd.Add(Action("ready", "manage the node's resources again (maintenance=off)"));
        nodeCmd.Add(NodeShowCommand.List(socket));
        nodeCmd.Add(NodeShowCommand.Show(socket));
        return nodeCmd;
    }

    /// <summary>The node this hacrm's daemon runs as.</summary>
    internal static string ThisNode(string socket, TextWriter error, string command) =>
        (LiveState.Read(socket, error, command) ?? throw new DaemonUnreachable()).Status.ThisNode;

    private static Command Property(Option<string> socket)
    {
        var pair = new Argument<string>("NAME=VALUE") { Description = "a cluster property, e.g. stonith-enabled=false (NAME= removes it)" };
        return Change("property", "set a cluster property", socket, "property", (parse, error) =>
        {
            var text = parse.GetValue(pair)!;
            var eq = text.IndexOf('=');
            if (eq <= 0) throw new UsageError($"'{text}' is not NAME=VALUE");
            var name = text[..eq];
            var value = text[(eq + 1)..];
            if (!KnownOptions.ClusterProperties.ContainsKey(name))
                error.WriteLine($"hacrm property: warning: {name} is not a cluster property Pacemaker knows" + Suggestions.Hint(name, KnownOptions.ClusterProperties.Keys));
            return c => ConfigurationEdits.SetProperty(c, name, value.Length == 0 ? null : value);
        }, pair);
    }
}

/// <summary>The daemon could not be reached while a change was being prepared (exit 3; LiveState.Read said why).</summary>
public sealed class DaemonUnreachable() : Exception("haclusterd cannot be reached");

/// <summary>A command given the wrong words (exit 2, as for any usage error).</summary>
public sealed class UsageError(string message) : Exception(message);
