using System.CommandLine;
using HaCluster.Cli.Status;

namespace HaCluster.Cli.Operate;

/// <summary>`hacrm node list` and `hacrm node show [NODE]`: the nodes with their state, and one node's attributes, as crm node shows them.</summary>
public static class NodeShowCommand
{
    public static Command List(Option<string> socket)
    {
        var cmd = new Command("list", "every node with its id and state (online, offline, standby, maintenance)");
        cmd.SetAction(parse =>
        {
            if (LiveState.Read(parse.GetValue(socket)!, parse.InvocationConfiguration.Error, "node list") is not { } live) return StatusCommand.ExitUnreachable;
            foreach (var n in live.Status.Nodes)
                parse.InvocationConfiguration.Output.WriteLine($"{n.Name}({n.Id}): {State(live, n.Name, n.State)}");
            return LiveEdit.ExitOk;
        });
        return cmd;
    }

    public static Command Show(Option<string> socket)
    {
        var node = new Argument<string?>("NODE") { Description = "the node (default: this node)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("show", "a node's state, its permanent attributes (configuration) and its transient ones (status)") { node };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (LiveState.Read(parse.GetValue(socket)!, error, "node show") is not { } live) return StatusCommand.ExitUnreachable;
            var name = parse.GetValue(node) ?? live.Status.ThisNode;
            if (live.Status.Nodes.FirstOrDefault(n => n.Name == name) is not { } member)
            {
                error.WriteLine($"hacrm node show: no node '{name}' (nodes: {string.Join(", ", live.Status.Nodes.Select(n => n.Name))})");
                return LiveEdit.ExitRefused;
            }
            output.WriteLine($"{member.Name}({member.Id}): {State(live, member.Name, member.State)}");
            foreach (var set in live.PictureConfig?.Nodes.FirstOrDefault(n => n.Uname == name)?.Attributes ?? default)
                foreach (var pair in set.Pairs)
                    output.WriteLine($"\t{pair.Name}={pair.Value}");
            foreach (var pair in live.PictureStatus?.Nodes.FirstOrDefault(n => (n.Uname ?? n.Id) == name)?.TransientAttributes ?? default)
                output.WriteLine($"\t{pair.Name}={pair.Value} (transient)");
            return LiveEdit.ExitOk;
        });
        return cmd;
    }

    /// <summary>Membership's state, with standby and maintenance from the picture.</summary>
    private static string State(LiveState live, string name, string membership)
    {
        var n = live.Picture?.Nodes.FirstOrDefault(x => x.Name == name);
        var state = membership == "suspect" ? "online (late)" : membership;
        if (n?.Standby == true) state += ", standby";
        if (n?.Maintenance == true) state += ", maintenance";
        return state;
    }
}
