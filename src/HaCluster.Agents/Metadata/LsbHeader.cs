namespace HaCluster.Agents.Metadata;

/// <summary>
/// LSB init scripts describe themselves in a comment block (### BEGIN INIT INFO ... ### END INIT
/// INFO) rather than with meta-data; this turns that block into <see cref="AgentMetadata"/>.
/// </summary>
public static class LsbHeader
{
    public static AgentMetadata Metadata(string name, string script)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var inside = false;
        string? lastKey = null;
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("### BEGIN INIT INFO", StringComparison.Ordinal)) { inside = true; continue; }
            if (line.StartsWith("### END INIT INFO", StringComparison.Ordinal)) break;
            if (!inside || !line.StartsWith('#')) continue;
            var body = line[1..];
            var colon = body.IndexOf(':');
            // "#  continued text" (a tab or two spaces) extends the previous field, as in Description.
            if (lastKey is not null && (body.StartsWith('\t') || body.StartsWith("  ", StringComparison.Ordinal)))
            {
                fields[lastKey] += " " + body.Trim();
                continue;
            }
            if (colon <= 0) continue;
            lastKey = body[..colon].Trim();
            fields[lastKey] = body[(colon + 1)..].Trim();
        }
        var shortDesc = fields.GetValueOrDefault("Short-Description") ?? $"{name} LSB init script";
        var timeout = TimeSpan.FromSeconds(15);
        return new AgentMetadata(name, null, shortDesc, fields.GetValueOrDefault("Description") ?? shortDesc, [],
        [
            new("start", timeout, null, null, null),
            new("stop", timeout, null, null, null),
            new("status", timeout, null, null, null),
            new("restart", timeout, null, null, null),
            new("force-reload", timeout, null, null, null),
            new("monitor", timeout, TimeSpan.FromSeconds(15), null, null),
            new("meta-data", TimeSpan.FromSeconds(5), null, null, null),
        ]);
    }
}
