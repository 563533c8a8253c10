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
            var attributes = live.PictureStatus?.Nodes.FirstOrDefault(n => (n.Uname ?? n.Id) == target)?.TransientAttributes.ToList() ?? [];
            var counts = attributes.Where(a => IsFailCountOf(a.Name, id)).ToList();
            if (parse.GetValue(action) == "show")
            {
                var total = counts.Sum(a => Score.TryParse(a.Value, out var s) ? Math.Min(s.Value, Score.InfinityValue) : 0);
                output.WriteLine($"scope=status  name=fail-count-{id} value={(total >= Score.InfinityValue ? "INFINITY" : total.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
                return LiveEdit.ExitOk;
            }
            foreach (var a in counts.Concat(attributes.Where(a => IsLastFailureOf(a.Name, id))))
            {
                var reply = ApiClient.Call(path, new ApiRequest("attribute", new Dictionary<string, string> { ["node"] = target, ["name"] = a.Name }), out var problem);
                if (reply is null || !reply.Ok)
                {
                    error.WriteLine($"hacrm resource failcount: {problem ?? reply?.Error}");
                    return reply is null ? StatusCommand.ExitUnreachable : LiveEdit.ExitRefused;
                }
            }
            output.WriteLine(counts.Count == 0 ? $"{id} has no fail count on {target}" : $"fail count of {id} on {target} deleted");
            return LiveEdit.ExitOk;
        });
        return cmd;
    }

    private static bool IsFailCountOf(string attribute, string rsc) =>
        attribute == $"fail-count-{rsc}" || attribute.StartsWith($"fail-count-{rsc}#", StringComparison.Ordinal);

    private static bool IsLastFailureOf(string attribute, string rsc) =>
        attribute == $"last-failure-{rsc}" || attribute.StartsWith($"last-failure-{rsc}#", StringComparison.Ordinal);
}
