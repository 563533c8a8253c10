using HaCluster.Agents.Attributes;

namespace HaCluster.Agents.Tests;

public sealed class AttributeSnapshotsTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Actions_with_the_same_attributes_share_one_file()
    {
        var snapshots = new AttributeSnapshots(dir.Root, "test");
        var a = snapshots.Acquire(new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" });
        var b = snapshots.Acquire(new Dictionary<string, string> { ["y"] = "2", ["x"] = "1" });
        Assert.Same(a, b);
        Assert.Equal("x\t1\ny\t2\n", File.ReadAllText(a.Path));
        snapshots.Release(a);
        snapshots.Release(b);
        // Still current: kept for the next action.
        Assert.True(File.Exists(a.Path));
    }

    [Fact]
    public void Changed_attributes_get_a_new_file_and_the_old_one_lives_until_its_last_reader_is_done()
    {
        var snapshots = new AttributeSnapshots(dir.Root, "test");
        var old = snapshots.Acquire(new Dictionary<string, string> { ["pingd"] = "100" });
        var fresh = snapshots.Acquire(new Dictionary<string, string> { ["pingd"] = "200" });
        Assert.NotEqual(old.Path, fresh.Path);
        Assert.Equal("pingd\t100\n", File.ReadAllText(old.Path));
        Assert.Equal("pingd\t200\n", File.ReadAllText(fresh.Path));
        snapshots.Release(old);
        Assert.False(File.Exists(old.Path));
        snapshots.Release(fresh);
        Assert.True(File.Exists(fresh.Path));
    }

    [Fact]
    public void An_out_of_date_file_nobody_reads_is_removed_when_the_attributes_change()
    {
        var snapshots = new AttributeSnapshots(dir.Root, "test");
        var first = snapshots.Acquire(new Dictionary<string, string> { ["a"] = "1" });
        snapshots.Release(first);
        var second = snapshots.Acquire(new Dictionary<string, string> { ["a"] = "2" });
        Assert.False(File.Exists(first.Path));
        Assert.Equal("a\t2\n", File.ReadAllText(second.Path));
    }
}
