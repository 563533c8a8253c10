using System.CommandLine;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Cli.Operate;

/// <summary>
/// `hacrm attribute NODE NAME [VALUE] [--lifetime reboot|forever] [--delete]`: node attributes,
/// as crm_attribute and attrd_updater set them. A transient one (reboot, the default) lives with
/// the node until it restarts — what health checks and ping set, and what location rules such as
/// "-inf: healthy ne 1" follow; a permanent one (forever) is committed to the configuration.
/// Without VALUE it prints the current value.
/// </summary>
public static class AttributeCommand
{
    public static Command Build(Option<string> socket)
    {
        var node = new Argument<string>("NODE") { Description = "the node the attribute belongs to" };
        var name = new Argument<string>("NAME") { Description = "the attribute's name" };
        var value = new Argument<string?>("VALUE") { Description = "the value to set; leave out to print the current one", Arity = ArgumentArity.ZeroOrOne };
        var lifetime = new Option<string>("--lifetime", "-l")
        {
            Description = "reboot: transient, kept by the node until it restarts (default); forever: in the configuration",
            DefaultValueFactory = _ => "reboot",
        };
        lifetime.AcceptOnlyFromAmong("reboot", "forever");
        var delete = new Option<bool>("--delete", "-D") { Description = "remove the attribute" };
        var wait = LiveEdit.WaitOption();
        var cmd = new Command("attribute", "set, delete or print a node attribute (like crm_attribute / attrd_updater)") { node, name, value, lifetime, delete, wait };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var socketPath = parse.GetValue(socket)!;
            var (n, a, v, forever) = (parse.GetValue(node)!, parse.GetValue(name)!, parse.GetValue(value), parse.GetValue(lifetime) == "forever");
            if (!LiveEdit.TryWait(parse, wait, error, "attribute", out var timeout)) return 2;
            if (parse.GetValue(delete)) v = null;
            else if (v is null) return Query(socketPath, n, a, forever, output, error);
            if (forever)
                return LiveEdit.Commit(socketPath, c => ConfigurationEdits.SetNodeAttribute(c, n, a, v), false, output, error, "attribute", timeout);
            var arguments = new Dictionary<string, string> { ["node"] = n, ["name"] = a };
            if (v is not null) arguments["value"] = v;
            var reply = ApiClient.Call(socketPath, new ApiRequest("attribute", arguments), out var problem);
            if (reply is null || !reply.Ok)
            {
                error.WriteLine($"hacrm attribute: {problem ?? reply?.Error}");
                return reply is null ? StatusCommand.ExitUnreachable : LiveEdit.ExitRefused;
            }
            output.WriteLine(v is null ? $"{a} deleted on {n}" : $"{a}={v} on {n} (until it restarts)");
            // A transient attribute is not a CIB version: wait for the cluster to act on it as it is now.
            return timeout is { } t
                ? Settle.Wait(socketPath, null, t, output, error, "attribute", live =>
                    live.PictureStatus!.Nodes.FirstOrDefault(s => (s.Uname ?? s.Id) == n)?.TransientAttributes.FirstOrDefault(x => x.Name == a)?.Value == v)
                : LiveEdit.ExitOk;
        });
        return cmd;
    }

    /// <summary>Prints the value the cluster schedules with: transient from the DC's status, permanent from the configuration.</summary>
    private static int Query(string socket, string node, string name, bool forever, TextWriter output, TextWriter error)
    {
        var reply = ApiClient.Call(socket, new ApiRequest("status"), out var problem);
        if (reply?.Status is not { } status)
        {
            error.WriteLine($"hacrm attribute: {problem ?? reply?.Error ?? "no status"}");
            return StatusCommand.ExitUnreachable;
        }
        string? found = null;
        if (!forever && status.CibXml is { } cib && CibXmlReader.Parse(cib, "status").Status is { } current)
            found = current.Nodes.FirstOrDefault(s => s.Uname == node)?.TransientAttributes.FirstOrDefault(p => p.Name == name)?.Value;
        if (found is null && status.ConfigurationXml is { } xml && CibXmlReader.Parse(xml, "cib").Config is { } config)
            found = config.Nodes.FirstOrDefault(d => d.Uname == node)?.Attributes.GetUnconditional(name);
        if (found is null)
        {
            error.WriteLine($"hacrm attribute: {node} has no attribute {name}");
            return 1;
        }
        output.WriteLine($"{name}={found}");
        return 0;
    }
}
