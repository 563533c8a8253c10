using System.Text;

namespace HaCluster.Agents.Attributes;

/// <summary>
/// The files from which the stand-in tools answer agents' attribute queries (crm_attribute -G,
/// crm_master -G). Writing one per action cost a file create, write and unlink on every monitor;
/// node attributes rarely change, so actions share the file of the current attributes, and a new
/// file is written only when they differ. A file an action may still read is never rewritten or
/// removed: it is deleted once it is out of date and no running action holds it.
/// <paramref name="prefix"/> keeps apart the files of different runners sharing the directory.
/// </summary>
internal sealed class AttributeSnapshots(string directory, string prefix)
{
    private readonly object gate = new();
    private long generation;
    private Snapshot? current;

    /// <summary>One snapshot file and the actions reading it.</summary>
    public sealed class Snapshot
    {
        internal Snapshot(string path, string text)
        {
            Path = path;
            Text = text;
        }

        public string Path { get; }
        internal string Text { get; }
        internal int Readers;
        internal bool OutOfDate;
    }

    /// <summary>The file holding <paramref name="attributes"/> for one action; give it back with <see cref="Release"/>.</summary>
    public Snapshot Acquire(IReadOnlyDictionary<string, string> attributes)
    {
        var text = Render(attributes);
        lock (gate)
        {
            if (current is null || current.Text != text)
            {
                if (current is not null)
                {
                    current.OutOfDate = true;
                    if (current.Readers == 0) File.Delete(current.Path);
                }
                var path = System.IO.Path.Combine(directory, $"{prefix}-{++generation}.attrs");
                File.WriteAllText(path, text);
                current = new Snapshot(path, text);
            }
            current.Readers++;
            return current;
        }
    }

    public void Release(Snapshot snapshot)
    {
        lock (gate)
        {
            if (--snapshot.Readers == 0 && snapshot.OutOfDate) File.Delete(snapshot.Path);
        }
    }

    /// <summary>One "name TAB value" line per attribute (names or values the format cannot carry are left out).</summary>
    internal static string Render(IReadOnlyDictionary<string, string> attributes)
    {
        var text = new StringBuilder();
        foreach (var (k, v) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            if (!k.Contains('\t') && !k.Contains('\n') && !v.Contains('\n')) text.Append(k).Append('\t').Append(v).Append('\n');
        return text.ToString();
    }
}
