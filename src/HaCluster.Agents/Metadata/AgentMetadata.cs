using System.Xml;
using System.Xml.Linq;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Metadata;

/// <summary>A parameter an agent declares in its meta-data.</summary>
public sealed record AgentParameter(string Name, bool Required, bool Unique, string Type, string? Default, string? ShortDescription, string? LongDescription, bool Deprecated);

/// <summary>An action an agent declares, with its advised timeout (and interval, depth, role for monitors).</summary>
public sealed record AgentActionInfo(string Name, TimeSpan? Timeout, TimeSpan? Interval, string? Depth, string? Role);

/// <summary>
/// What an agent says about itself (OCF meta-data, fence agents' metadata, an LSB header):
/// its parameters and actions. Configuration checks and action timeouts read it.
/// </summary>
public sealed record AgentMetadata(
    string Name,
    string? Version,
    string? ShortDescription,
    string? LongDescription,
    IReadOnlyList<AgentParameter> Parameters,
    IReadOnlyList<AgentActionInfo> Actions)
{
    /// <summary>Parses OCF resource-agent meta-data or fence-agent metadata; null when it is not such XML.</summary>
    public static AgentMetadata? TryParse(string xml)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(xml.Trim(), LoadOptions.None);
        }
        catch (XmlException)
        {
            return null;
        }
        var root = doc.Root;
        if (root is null || root.Name.LocalName is not ("resource-agent")) return null;
        var parameters = root.Element("parameters")?.Elements("parameter").Select(p => new AgentParameter(
            (string?)p.Attribute("name") ?? "",
            IsTrue((string?)p.Attribute("required")),
            IsTrue((string?)p.Attribute("unique")),
            (string?)p.Element("content")?.Attribute("type") ?? "string",
            (string?)p.Element("content")?.Attribute("default"),
            Text(p.Element("shortdesc")),
            Text(p.Element("longdesc")),
            IsTrue((string?)p.Attribute("deprecated")) || p.Element("deprecated") is not null))
            .Where(p => p.Name.Length > 0).ToList() ?? [];
        var actions = root.Element("actions")?.Elements("action").Select(a => new AgentActionInfo(
            (string?)a.Attribute("name") ?? "",
            ParseDuration((string?)a.Attribute("timeout")),
            ParseDuration((string?)a.Attribute("interval")),
            (string?)a.Attribute("depth"),
            (string?)a.Attribute("role")))
            .Where(a => a.Name.Length > 0).ToList() ?? [];
        return new AgentMetadata(
            (string?)root.Attribute("name") ?? "",
            (string?)root.Attribute("version") ?? Text(root.Element("version")),
            Text(root.Element("shortdesc")) ?? (string?)root.Attribute("shortdesc"),
            Text(root.Element("longdesc")),
            parameters,
            actions);
    }

    /// <summary>Meta-data for classes that have none of their own (systemd units, upstart jobs).</summary>
    public static AgentMetadata Synthesized(string name, string description, TimeSpan timeout) => new(
        name, null, description, description, [],
        [
            new("start", timeout, null, null, null),
            new("stop", timeout, null, null, null),
            new("status", timeout, null, null, null),
            new("monitor", timeout, TimeSpan.FromSeconds(60), null, null),
            new("meta-data", TimeSpan.FromSeconds(5), null, null, null),
        ]);

    public AgentParameter? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    /// <summary>The timeout the agent advises for an action (for monitors, the one with the same interval if any).</summary>
    public TimeSpan? AdvisedTimeout(string action, TimeSpan interval)
    {
        var candidates = Actions.Where(a => a.Name == action).ToList();
        return (candidates.FirstOrDefault(a => a.Interval == interval) ?? candidates.FirstOrDefault())?.Timeout;
    }

    private static bool IsTrue(string? value) => CibBoolean.TryParse(value) == true;

    private static string? Text(XElement? e)
    {
        var text = e?.Value.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static TimeSpan? ParseDuration(string? text) =>
        text is null ? null : Duration.ParseMillisecondsOrNull(text) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
