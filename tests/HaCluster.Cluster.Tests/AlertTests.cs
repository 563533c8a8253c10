using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// Alert agents on a real loopback cluster, run as Pacemaker runs them: the sample agent
/// Pacemaker ships (alert_file.sh.sample, unchanged) writes one line per event to its recipient
/// file. Each node runs the alerts for its own events: its resource operations, the membership
/// changes it sees, fencing results, its attribute changes (when selected).
/// </summary>
public sealed class AlertTests : IDisposable
{
    private const string SampleAgent = "/usr/share/pacemaker/alerts/alert_file.sh.sample";
    private readonly TestCluster cluster = TestCluster.OnLoopback("alerts", 2, 5);
    private static readonly string[] All = ["node1", "node2"];

    public void Dispose() => cluster.Dispose();

    /// <summary>What the sample agent appended to its recipient file (both nodes' runs append to the same file).</summary>
    private string Lines() => File.Exists(AlertFile) ? File.ReadAllText(AlertFile) : "";

    private string AlertFile => Path.Combine(cluster.Dir, "alerts.log");

    private int Count(string text) => System.Text.RegularExpressions.Regex.Matches(Lines(), System.Text.RegularExpressions.Regex.Escape(text)).Count;

    [Fact]
    public async Task The_sample_file_agent_records_resource_operations_membership_changes_and_selected_attributes()
    {
        Assert.True(File.Exists(SampleAgent), "pacemaker-common's alert samples are installed by scripts/test.sh");
        var cib = $$"""
            <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
              <configuration>
                <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/></nodes>
                <resources>
                  <primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
                    <operations><op id="d-mon" name="monitor" interval="1s"/></operations>
                  </primitive>
                </resources>
                <constraints><rsc_location id="prefer" rsc="d" node="node1" score="100"/></constraints>
                <alerts>
                  <alert id="to-file" path="{{SampleAgent}}">
                    <meta_attributes id="to-file-meta"><nvpair id="to-file-ts" name="timestamp-format" value="%Y-%m-%d %H:%M:%S"/></meta_attributes>
                    <select><select_nodes/><select_resources/><select_attributes><attribute id="sa" name="site"/></select_attributes></select>
                    <recipient id="to-file-r" value="{{AlertFile}}"/>
                  </alert>
                </alerts>
              </configuration>
              <status/>
            </cib>
            """;
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        cluster.StartAll();
        await cluster.WaitUntil("node1 alerts d's start", () => Lines().Contains("Resource operation 'start' for 'd' on 'node1': ok"), TimeSpan.FromSeconds(30));
        await cluster.WaitUntil("node1 alerts d's first monitor", () => Lines().Contains("Resource operation 'monitor (1000)' for 'd' on 'node1': ok"), TimeSpan.FromSeconds(10));
        // node1 started with the alert configured; node2 may have joined before its configuration had it.
        await cluster.WaitUntil("the members are alerted", () => Count("Node 'node1' is now 'member'") >= 1 && Count("Node 'node2' is now 'member'") >= 1,
            TimeSpan.FromSeconds(10));
        // A probe that finds d stopped is what was expected: no alert for it (Pacemaker sends none either).
        Assert.DoesNotContain("'monitor' for 'd'", Lines());
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: Resource operation 'start'", Lines());

        // Only the selected attribute is alerted.
        Attribute("node1", "rack", "r1");
        Attribute("node1", "site", "east");
        await cluster.WaitUntil("node1 alerts the site attribute", () => Lines().Contains("Attribute 'site' on node 'node1' was updated to 'east'"), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("'rack'", Lines());

        // node2 leaves: node1 sees it lost.
        cluster.Kill("node2");
        await cluster.WaitUntil("node1 alerts node2 lost", () => Lines().Contains("Node 'node2' is now 'lost'"), TimeSpan.FromSeconds(20));

        // node2 comes back: node1 alerts it a member again, and node2, now configured, alerts both members.
        var before = (Count("Node 'node1' is now 'member'"), Count("Node 'node2' is now 'member'"));
        cluster.Start("node2");
        await cluster.WaitUntil("node2's return is alerted by both nodes", () =>
            Count("Node 'node2' is now 'member'") >= before.Item2 + 2 && Count("Node 'node1' is now 'member'") >= before.Item1 + 1, TimeSpan.FromSeconds(20));
        Assert.Equal(1, Count("Node 'node2' is now 'lost'"));
    }

    private void Attribute(string node, string name, string value)
    {
        var output = new StringWriter();
        var rc = HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(node), "attribute", node, name, value], output, output);
        Assert.True(rc == 0, output.ToString());
    }

    [Fact]
    public async Task The_sample_smtp_agent_mails_each_event_through_sendmail_to_a_local_smtp_sink()
    {
        const string SmtpAgent = "/usr/share/pacemaker/alerts/alert_smtp.sh.sample";
        Assert.True(File.Exists(SmtpAgent), "pacemaker-common's alert samples are installed by scripts/test.sh");
        Assert.True(File.Exists("/usr/bin/msmtp"), "msmtp-mta (sendmail) is installed by scripts/test.sh");
        using var sink = new SmtpSink();
        // msmtp (the sendmail the agent calls) reads HOME/.msmtprc: it sends to the sink, nowhere else.
        var home = Path.Combine(cluster.Dir, "mail-home");
        Directory.CreateDirectory(home);
        var rc = Path.Combine(home, ".msmtprc");
        File.WriteAllText(rc, $"account default\nhost 127.0.0.1\nport {sink.Port}\nauth off\ntls off\nfrom hacluster@localhost\nsyslog off\n");
        File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // The agent calls "sendmail -t -r SENDER"; msmtp's sendmail takes the sender as -f: a
        // one-line shim says it so, first in PATH (then node1's stand-ins for Pacemaker's tools,
        // where web runs and its mail comes from, so crm_attribute answers the cluster's name).
        var bin = Path.Combine(cluster.Dir, "mail-bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "sendmail"), "#!/bin/sh\n[ \"$1\" = -t ] && [ \"$2\" = -r ] && exec /usr/bin/msmtp -t -f \"$3\"\nexec /usr/bin/msmtp \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(bin, "sendmail"), (UnixFileMode)0b111_101_101);
        var path = $"{bin}:{cluster.Dir}/node1.state/tools:/usr/sbin:/usr/bin:/sbin:/bin";
        var cib = $$"""
            <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
              <configuration>
                <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/></nodes>
                <resources><primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/></resources>
                <constraints><rsc_location id="prefer" rsc="web" node="node1" score="100"/></constraints>
                <alerts>
                  <alert id="mail" path="{{SmtpAgent}}">
                    <instance_attributes id="mail-attrs"><nvpair id="mail-home" name="HOME" value="{{home}}"/><nvpair id="mail-path" name="PATH" value="{{path}}"/></instance_attributes>
                    <select><select_resources/></select>
                    <recipient id="mail-r" value="ops@example.com"/>
                  </alert>
                </alerts>
              </configuration>
              <status/>
            </cib>
            """;
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        cluster.StartAll();
        await cluster.WaitUntil("a mail about web's start arrives", () => sink.Mails.Any(m => m.Contains("Resource operation 'start' for 'web' on 'node1': ok")),
            TimeSpan.FromSeconds(30), () => string.Join("\n---\n", sink.Mails));
        var mail = sink.Mails.First(m => m.Contains("'start' for 'web'"));
        Assert.Contains("To: ops@example.com", mail);
        // The subject names the cluster: the agent asked crm_attribute, and HaCluster's stand-in answered.
        Assert.Matches($@"Subject: .* alerts\d+: Resource operation 'start' for 'web' on 'node1': ok", mail);
        Assert.Contains("RCPT TO:<ops@example.com>", sink.Commands);
    }

    /// <summary>Just enough SMTP to take mail (one connection at a time) on a loopback port: what each message said, and the commands.</summary>
    private sealed class SmtpSink : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> mails = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> commands = new();
        public int Port { get; }
        public IReadOnlyList<string> Mails => mails.ToList();
        public string Commands => string.Join("\n", commands);

        public SmtpSink()
        {
            listener.Start();
            Port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            _ = Task.Run(AcceptAsync);
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    using var client = await listener.AcceptTcpClientAsync(stop.Token);
                    client.ReceiveTimeout = 10_000;
                    await using var stream = client.GetStream();
                    using var reader = new StreamReader(stream);
                    await using var writer = new StreamWriter(stream) { NewLine = "\r\n", AutoFlush = true };
                    await writer.WriteLineAsync("220 sink ESMTP");
                    while (await reader.ReadLineAsync(stop.Token) is { } line)
                    {
                        commands.Enqueue(line);
                        var verb = line.Split(' ')[0].ToUpperInvariant();
                        if (verb is "EHLO" or "HELO") await writer.WriteLineAsync("250 sink");
                        else if (verb == "DATA")
                        {
                            await writer.WriteLineAsync("354 go on");
                            var body = new System.Text.StringBuilder();
                            while (await reader.ReadLineAsync(stop.Token) is { } data && data != ".") body.AppendLine(data);
                            mails.Enqueue(body.ToString());
                            await writer.WriteLineAsync("250 queued");
                        }
                        else if (verb == "QUIT")
                        {
                            await writer.WriteLineAsync("221 bye");
                            break;
                        }
                        else await writer.WriteLineAsync("250 ok");
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException) { }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
        }
    }
}
