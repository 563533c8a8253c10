using System.Threading.Channels;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;
using HaCluster.Transport;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Cib;

/// <summary>
/// Keeps this node's CIB in step with the cluster (see <see cref="CibSync"/>): sends its copy to
/// members that advertise an older one when it holds the newest, and adopts newer copies that
/// arrive. Received copies are checked (they must parse and carry the version they claim) and
/// stored off the membership thread, so a 5 MB write never delays a heartbeat.
/// </summary>
public sealed class CibReplicator(CibStore store, ILogger log)
{
    private readonly Channel<(int From, byte[] Message)> inbox = Channel.CreateUnbounded<(int, byte[])>();
    private readonly Channel<bool> nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<int, (CibVersion Version, DateTime At)> sent = new();
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(5);

    public CibStore Store => store;

    /// <summary>
    /// A new version was committed here: send it now rather than at the next tick, since the
    /// commit is answered only once other members hold it (see ClusterController.CommitAsync).
    /// </summary>
    public void PushNow() => nudges.Writer.TryWrite(true);

    /// <summary>Called by the membership layer (under its lock): only queues.</summary>
    public void OnMessage(int from, byte[] message) => inbox.Writer.TryWrite((from, message));

    public async Task RunAsync(MembershipNode node, Func<int, string> name, CancellationToken stop)
    {
        node.CibVersion = store.Version;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var tick = timer.WaitForNextTickAsync(stop).AsTask();
        var receive = inbox.Reader.ReadAsync(stop).AsTask();
        var nudge = nudges.Reader.ReadAsync(stop).AsTask();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var done = await Task.WhenAny(tick, receive, nudge);
                if (done == receive)
                {
                    Adopt(node, name, await receive);
                    receive = inbox.Reader.ReadAsync(stop).AsTask();
                }
                else if (done == nudge)
                {
                    await nudge;
                    Push(node, name);
                    nudge = nudges.Reader.ReadAsync(stop).AsTask();
                }
                else
                {
                    if (!await tick) return;
                    Push(node, name);
                    tick = timer.WaitForNextTickAsync(stop).AsTask();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Push(MembershipNode node, Func<int, string> name)
    {
        var (view, versions) = node.CibSituation();
        foreach (var peer in CibSync.Recipients(node.Self.Id, store.Version, view, versions))
        {
            if (sent.TryGetValue(peer, out var last) && last.Version == store.Version && DateTime.UtcNow - last.At < ResendAfter) continue;
            node.SendMessage(peer, CibSync.Encode(store.Version, store.Xml));
            sent[peer] = (store.Version, DateTime.UtcNow);
            log.LogInformation("CIB {Version} ({Bytes} bytes) sent to {Peer}, which has {Theirs}", store.Version, store.Xml.Length, name(peer), versions[peer]);
        }
    }

    private void Adopt(MembershipNode node, Func<int, string> name, (int From, byte[] Message) received)
    {
        if (!CibSync.TryDecode(received.Message, out var version, out var xml)) return;
        if (!(version > store.Version)) return;
        var bytes = xml.ToArray();
        if (CibStore.ParseVersion(bytes) != version)
        {
            log.LogWarning("CIB copy from {Peer} refused: it does not parse as a CIB of version {Version}", name(received.From), version);
            return;
        }
        store.Store(version, bytes);
        node.CibVersion = version;
        log.LogInformation("CIB {Version} ({Bytes} bytes) received from {Peer} and stored", version, bytes.Length, name(received.From));
    }
}
