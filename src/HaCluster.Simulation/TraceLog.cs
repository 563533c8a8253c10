namespace HaCluster.Simulation;

/// <summary>The last lines of a schedule's story (bounded): what a violation report shows.</summary>
internal sealed class TraceLog(int capacity)
{
    private readonly Queue<string> lines = new(capacity);

    public void Add(string line)
    {
        if (lines.Count == capacity) lines.Dequeue();
        lines.Enqueue(line);
    }

    public IReadOnlyList<string> Lines() => lines.ToList();
}
