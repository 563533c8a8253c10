using HaCluster.Core.Tests.Cli;
using Xunit;

namespace HaCluster.Core.Tests.Import;

/// <summary>hacrm import on hostile input: a clear error or a report, never a crash, and nothing half-written.</summary>
public sealed class ImportGarbageTests : ImportTest
{
    private static readonly string[] Formats = ["heartbeat", "keepalived", "corosync", "rgmanager", "pacemaker"];

    [Theory]
    [InlineData("rgmanager", "cluster.conf", "<cluster name=\"x\">", "<rm>", "</rm>", "</cluster>", "elements nested more than 100 deep")]
    [InlineData("corosync", "corosync.conf", "", "totem {", "}", "", "sections nested more than 32 deep")]
    [InlineData("keepalived", "keepalived.conf", "", "vrrp_instance X {", "}", "", "blocks nested more than 32 deep")]
    public void Input_nested_past_the_limit_is_refused_with_its_line_quickly(string from, string name, string head, string open, string close, string tail, string message)
    {
        const int depth = 100_000;
        var text = head + "\n" + string.Concat(Enumerable.Repeat(open + "\n", depth)) + string.Concat(Enumerable.Repeat(close + "\n", depth)) + tail + "\n";
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (exit, _, error) = Import([(name, text)], "--from", from, "--node", "a=10.0.0.1");
        Assert.Equal(1, exit);
        Assert.Contains(message, error);
        Assert.Matches(@$"{System.Text.RegularExpressions.Regex.Escape(name)}:\d+", error);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Random_bytes_and_shuffled_config_words_in_every_format_get_an_answer_never_an_exception()
    {
        var rng = new Random(2412);
        string[] words = ["{", "}", "<", ">", "</", "\"", "=", ":", "::", "\\", "#", "!", "totem", "interface", "vrrp_instance", "virtual_ipaddress",
            "track_script", "node", "ucast", "mcast", "eth0", "10.0.0.1", "239.1.1.1", "5405", "auth", "1", "sha1", "<cluster", "<clusternode", "name=",
            "<service", "<ip", "address=", "ref=", "<cib", "<configuration>", "primitive", "IPaddr::", "drbddisk::r0", "priority", "weight", "-5000000000"];
        for (var i = 0; i < 150; i++)
        {
            string text;
            if (i % 3 == 0)
            {
                var bytes = new byte[rng.Next(0, 400)];
                rng.NextBytes(bytes);
                text = new string(bytes.Select(b => (char)b).ToArray());
            }
            else text = string.Join(rng.Next(2) == 0 ? " " : "\n", Enumerable.Range(0, rng.Next(1, 80)).Select(_ => words[rng.Next(words.Length)]));
            var from = Formats[i % Formats.Length];
            var (exit, _, _) = Import([($"input{i}", text)], "--from", from, "--node", "a=10.0.0.1", "--node", "b=10.0.0.2");
            Assert.True(exit is 0 or 1, $"case {i} ({from}): exit {exit}");
            // Refused: nothing written at all.
            if (exit == 1) Assert.False(Directory.Exists(Out), $"case {i} ({from}) was refused but wrote {Out}");
            if (Directory.Exists(Out)) Directory.Delete(Out, recursive: true);
        }
    }
}
