using System.Text;
using HaCluster.Core.Membership;
using Xunit;

namespace HaCluster.Core.Tests.Membership;

public sealed class ClusterKeyTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hacluster-key-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void A_new_key_file_is_random_mode_0600_and_never_overwritten()
    {
        var path = Path.Combine(dir, "authkey");
        ClusterKey.WriteNew(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(ClusterKey.GeneratedLength, new FileInfo(path).Length);
        var first = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => ClusterKey.WriteNew(path));
        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Equal(first, ClusterKey.Load(path).Bytes.ToArray());
    }

    [Fact]
    public void A_key_readable_by_group_or_others_is_refused_with_the_reason()
    {
        var path = Path.Combine(dir, "authkey");
        ClusterKey.WriteNew(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        var e = Assert.Throws<InvalidDataException>(() => ClusterKey.Load(path));
        Assert.Contains("mode 0644", e.Message);
        Assert.Contains($"chmod 600 {path}", e.Message);
    }

    [Fact]
    public void Heartbeats_authkeys_file_is_accepted_and_its_active_secret_used()
    {
        var a = ClusterKey.Parse(Encoding.ASCII.GetBytes("auth 1\n1 sha1 SecretKey123!!!\n"));
        var b = ClusterKey.Parse(Encoding.ASCII.GetBytes("# comment\nauth 2\n1 sha1 SecretKey123!!!\n2 sha1 OtherSecret456\n"));
        var c = ClusterKey.Parse(Encoding.ASCII.GetBytes("auth 1\n1 sha1 SecretKey123!!!\n2 md5 unused-secret\n"));
        Assert.Equal(a.Bytes.ToArray(), c.Bytes.ToArray());
        Assert.NotEqual(a.Bytes.ToArray(), b.Bytes.ToArray());
    }

    [Fact]
    public void Seed_000s_authkeys_with_auth1_run_together_is_the_same_key_as_auth_1()
    {
        // Seed 000 writes "auth1" / "1 md5 password"; Heartbeat reads it as "auth 1".
        var together = ClusterKey.Parse(Encoding.ASCII.GetBytes("auth1\n1 md5 password\n"));
        var spaced = ClusterKey.Parse(Encoding.ASCII.GetBytes("auth 1\n1 md5 password\n"));
        Assert.Equal(spaced.Bytes.ToArray(), together.Bytes.ToArray());
    }

    [Theory]
    [InlineData("auth 1\n1 crc\n", "authenticates nothing")]
    [InlineData("authx\n1 md5 password\n", "expected 'N METHOD SECRET'")]
    [InlineData("auth 3\n1 sha1 SecretKey123\n", "'auth 3' names no key line")]
    [InlineData("1 sha1 SecretKey123\nauth\n", "needs a key number")]
    public void Unusable_authkeys_are_refused(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => ClusterKey.Parse(Encoding.ASCII.GetBytes(text)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Random_key_bytes_are_never_mistaken_for_an_authkeys_file()
    {
        var rng = new Random(1);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[64];
            rng.NextBytes(bytes);
            bytes[0] = (byte)'a'; bytes[1] = (byte)'u'; bytes[2] = (byte)'t'; bytes[3] = (byte)'h';
            Assert.Equal(bytes, ClusterKey.Parse(bytes).Bytes.ToArray());
        }
    }
}
