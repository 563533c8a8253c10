using System.CommandLine;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;

namespace HaCluster.Cli.Operate;

/// <summary>
/// `hacrm resource failcount RSC show|delete NODE`, as crm shell has it: the fail counts are the
/// node's transient attributes fail-count-RSC#OP_INTERVAL (what migration-threshold counts);
/// show sums them on the node, delete removes them there (the failed operations stay listed
/// until `resource cleanup`).
/// </summary>
public static class FailcountCommand
{
    public static Command Build(Option<string> socket)
    {
        var rsc = new Argument<string>("RESOURCE") { Description = "the resource id" };
        var action = new Argument<string>("ACTION") { Description = "show or delete" };
        action.AcceptOnlyFromAmong("show", "delete");
        var node = new Argument<string?>("NODE") { Description = "the node (default: this node)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("failcount", "show or delete a resource's fail count on a node") { rsc, action, node };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(socket)!;
            var id = parse.GetValue(rsc)!;
            if (LiveState.Read(path, error, "resource failcount") is not { } live) return StatusCommand.ExitUnreachable;
            var target = parse.GetValue(node) ?? live.Status.ThisNode;
            var here = live.Picture?.Nodes.FirstOrDefault(n => n.Name == target);
            if (parse.GetValue(action) == "show")
            {
                var total = here?.Failures([id]).Count ?? 0;
                output.WriteLine($"scope=status  name=fail-count-{id} value={(total >= Score.InfinityValue ? "INFINITY" : total.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
                return LiveEdit.ExitOk;
            }
            var attributes = here?.FailureAttributes(id).ToList() ?? [];
            foreach (var name in attributes)
            {
                var reply = ApiClient.Call(path, new ApiRequest("attribute", new Dictionary<string, string> { ["node"] = target, ["name"] = name }), out var problem);
                if (reply is null || !reply.Ok)
                {
                    error.WriteLine($"hacrm resource failcount: {problem ?? reply?.Error}");
                    return reply is null ? StatusCommand.ExitUnreachable : LiveEdit.ExitRefused;
                }
            }
            output.WriteLine(!attributes.Any(a => a.StartsWith("fail-count-", StringComparison.Ordinal)) ? $"{id} has no fail count on {target}" : $"fail count of {id} on {target} deleted");
            return LiveEdit.ExitOk;
        });
        return cmd;
    }
}
