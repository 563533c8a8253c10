using System.CommandLine;
using HaCluster.Core.Cib;

namespace HaCluster.Cli.Operate;

/// <summary>
/// `hacrm resource start|stop|restart|move|migrate|clear|promote|demote|cleanup`, `hacrm node standby|online|maintenance|ready` and
/// `hacrm property NAME=VALUE`: everyday operations, each one committed configuration change
/// (target-role, cli-prefer location, node attribute, cluster property), as crm_resource and
/// crm_attribute make them.
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

    private static Command Verb(string name, string description, Option<string> socket, Func<System.CommandLine.ParseResult, Func<ClusterConfig, ClusterConfig>> edit, string command, params Symbol[] symbols)
    {
        var cmd = new Command(name, description);
        foreach (var s in symbols)
        {
            if (s is Argument a) cmd.Add(a);
            else if (s is Option o) cmd.Add(o);
        }
        cmd.SetAction(parse => LiveEdit.Commit(parse.GetValue(socket)!, edit(parse), false,
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, command));
        return cmd;
    }

    private static Command Resource(Option<string> socket)
    {
        var resource = new Command("resource", "start, stop, restart, move, promote or demote a resource, or clean up its failures");
        Argument<string> Rsc() => new("RESOURCE") { Description = "the resource id" };
        var r1 = Rsc();
        resource.Add(Verb("start", "allow the resource to run (target-role=Started)", socket,
            p => c => ConfigurationEdits.SetResourceMeta(c, p.GetValue(r1)!, "target-role", "Started"), "resource start", r1));
        var r2 = Rsc();
        resource.Add(Verb("stop", "stop the resource everywhere (target-role=Stopped)", socket,
            p => c => ConfigurationEdits.SetResourceMeta(c, p.GetValue(r2)!, "target-role", "Stopped"), "resource stop", r2));
        var r3 = Rsc();
        var node = new Argument<string>("NODE") { Description = "where it must run" };
        var move = Verb("move", "make the resource run on NODE (a cli-prefer location; remove it with clear); alias migrate, as in crm", socket,
            p => c => ConfigurationEdits.Move(c, p.GetValue(r3)!, p.GetValue(node)!), "resource move", r3, node);
        // crm's resource migrate is its move; with allow-migrate=true the move is a live migration.
        move.Aliases.Add("migrate");
        resource.Add(move);
        resource.Add(RestartCommand.Build(socket));
        var r6 = Rsc();
        resource.Add(Verb("promote", "let a promotable clone (or its resource) be promoted (target-role=Promoted)", socket,
            p => c => ConfigurationEdits.SetPromotableRole(c, p.GetValue(r6)!, "Promoted"), "resource promote", r6));
        var r7 = Rsc();
        resource.Add(Verb("demote", "keep a promotable clone (or its resource) unpromoted everywhere (target-role=Unpromoted)", socket,
            p => c => ConfigurationEdits.SetPromotableRole(c, p.GetValue(r7)!, "Unpromoted"), "resource demote", r7));
        var r4 = Rsc();
        resource.Add(Verb("clear", "remove the constraints left by move", socket,
            p => c => ConfigurationEdits.Clear(c, p.GetValue(r4)!), "resource clear", r4));
        var r5 = Rsc();
        var cleanup = new Command("cleanup", "forget the resource's failures and history on every node, and probe it again") { r5 };
        cleanup.SetAction(parse =>
        {
            var reply = HaCluster.Cli.Status.ApiClient.Call(parse.GetValue(socket)!,
                new HaCluster.Core.Api.ApiRequest("cleanup", new Dictionary<string, string> { ["resource"] = parse.GetValue(r5)! }), out var problem);
            if (reply is null || !reply.Ok)
            {
                parse.InvocationConfiguration.Error.WriteLine($"hacrm resource cleanup: {problem ?? reply?.Error}");
                return reply is null ? HaCluster.Cli.Status.StatusCommand.ExitUnreachable : LiveEdit.ExitRefused;
            }
            parse.InvocationConfiguration.Output.WriteLine($"cleaning up {parse.GetValue(r5)} on every node: its fail counts are cleared and it is probed again");
            return LiveEdit.ExitOk;
        });
        resource.Add(cleanup);
        return resource;
    }

    private static Command Node(Option<string> socket)
    {
        var nodeCmd = new Command("node", "put a node in standby or maintenance, or back online");
        Argument<string> Name() => new("NODE") { Description = "the node's name" };
        var n1 = Name();
        nodeCmd.Add(Verb("standby", "move every resource off the node (standby=on)", socket,
            p => c => ConfigurationEdits.SetNodeAttribute(c, p.GetValue(n1)!, "standby", "on"), "node standby", n1));
        var n2 = Name();
        nodeCmd.Add(Verb("online", "let the node run resources again (standby=off)", socket,
            p => c => ConfigurationEdits.SetNodeAttribute(c, p.GetValue(n2)!, "standby", "off"), "node online", n2));
        var n3 = Name();
        nodeCmd.Add(Verb("maintenance", "stop managing the node's resources (maintenance=on)", socket,
            p => c => ConfigurationEdits.SetNodeAttribute(c, p.GetValue(n3)!, "maintenance", "on"), "node maintenance", n3));
        var n4 = Name();
        nodeCmd.Add(Verb("ready", "manage the node's resources again (maintenance=off)", socket,
            p => c => ConfigurationEdits.SetNodeAttribute(c, p.GetValue(n4)!, "maintenance", "off"), "node ready", n4));
        return nodeCmd;
    }

    private static Command Property(Option<string> socket)
    {
        var pair = new Argument<string>("NAME=VALUE") { Description = "a cluster property, e.g. stonith-enabled=false (NAME= removes it)" };
        var cmd = new Command("property", "set a cluster property") { pair };
        cmd.SetAction(parse =>
        {
            var text = parse.GetValue(pair)!;
            var eq = text.IndexOf('=');
            if (eq <= 0)
            {
                parse.InvocationConfiguration.Error.WriteLine($"hacrm property: '{text}' is not NAME=VALUE");
                return 2;
            }
            var name = text[..eq];
            var value = text[(eq + 1)..];
            return LiveEdit.Commit(parse.GetValue(socket)!, c => ConfigurationEdits.SetProperty(c, name, value.Length == 0 ? null : value), false,
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, "property");
        });
        return cmd;
    }
}
