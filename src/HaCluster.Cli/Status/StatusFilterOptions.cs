using System.CommandLine;
using HaCluster.Core.Status.Views;

namespace HaCluster.Cli.Status;

/// <summary>
/// What `hacrm status` and `hacrm mon` both let an operator choose to see (crm_mon's display
/// options): filters for big clusters and the optional sections. One set of options so the two
/// commands cannot drift apart.
/// </summary>
public sealed class StatusFilterOptions
{
    private readonly Option<string?> node = new("--node") { Description = "only the resources active or failed on this node" };
    private readonly Option<string?> resource = new("--resource") { Description = "only this resource (a member shows its group or clone)" };
    private readonly Option<bool> activeOnly = new("--active-only") { Description = "hide resources stopped everywhere" };
    private readonly Option<bool> summary = new("--summary") { Description = "counts by state and per node instead of the resource list" };
    private readonly Option<bool> attributes = new("--node-attributes", "-A") { Description = "also each node's attributes (crm_mon -A)" };
    private readonly Option<bool> failCounts = new("--fail-counts", "-f") { Description = "also the fail counts per node and resource (crm_mon -f)" };
    private readonly Option<bool> operations = new("--operations", "-o") { Description = "also each node's operation history (crm_mon -o)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { node, resource, activeOnly, summary, attributes, failCounts, operations }) command.Options.Add(option);
    }

    public StatusFilter Read(ParseResult parse) => new()
    {
        Node = parse.GetValue(node), Resource = parse.GetValue(resource), ActiveOnly = parse.GetValue(activeOnly), Summary = parse.GetValue(summary),
        ShowNodeAttributes = parse.GetValue(attributes), ShowFailCounts = parse.GetValue(failCounts), ShowOperations = parse.GetValue(operations),
    };
}
