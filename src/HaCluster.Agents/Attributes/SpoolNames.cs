namespace HaCluster.Agents.Attributes;

/// <summary>
/// Names the spool file of each action (where the stand-in tools record the attributes it sets).
/// A resource's actions reuse one name: a name never seen before costs the filesystem a fresh
/// negative lookup on every check (a unique name per action made the "is there a spool?" open
/// the dearest system call of a monitor on ext4), and a helper an agent left behind that sets
/// an attribute late still reaches its own resource's next action instead of a file nobody reads.
/// Two actions of one resource at once (possible outside the executor) get distinct names.
/// <paramref name="prefix"/> keeps apart the files of different runners sharing the directory.
/// </summary>
internal sealed class SpoolNames(string directory, string prefix)
{
    private readonly object gate = new();
    private readonly HashSet<string> inUse = [];
    private long counter;

    public string Acquire(string resourceId)
    {
        lock (gate)
        {
            var stem = IsFileNameSafe(resourceId) ? $"{prefix}-{resourceId}" : $"{prefix}-#{++counter}";
            var path = Path.Combine(directory, stem + ".spool");
            while (!inUse.Add(path)) path = Path.Combine(directory, $"{stem}-{++counter}.spool");
            return path;
        }
    }

    public void Release(string path)
    {
        lock (gate) inUse.Remove(path);
    }

    private static bool IsFileNameSafe(string id) =>
        id.Length is > 0 and < 200 && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':');
}
