using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Cli.Operate;

/// <summary>
/// The live cluster as the commands that look before they act see it: the daemon's status, the
/// DC's last picture (configuration and status section, with its CIB version) and that picture
/// evaluated (what runs where). Read fresh on every call.
/// </summary>
public sealed record LiveState(ClusterStatusReply Status, ClusterConfig? PictureConfig, ClusterStatus? PictureStatus, WorkingSet? Picture)
{
    /// <summary>Null, after saying why on <paramref name="error"/>, when the daemon cannot be reached.</summary>
    public static LiveState? Read(string socket, TextWriter error, string command)
    {
        var reply = ApiClient.Call(socket, new ApiRequest("status"), out var problem);
        if (reply?.Status is not { } status)
        {
            error.WriteLine($"hacrm {command}: {problem ?? reply?.Error}");
            return null;
        }
        if (status.CibXml is not { } xml || CibXmlReader.Parse(xml, "status") is not { Config: { } config } parsed)
            return new LiveState(status, null, null, null);
        var pictureStatus = parsed.Status ?? ClusterStatus.Empty;
        return new LiveState(status, config, pictureStatus, Scheduler.CurrentState(config, pictureStatus, DateTimeOffset.UtcNow));
    }

    /// <summary>The primitives (clone instances included) of a resource at any level, in the picture.</summary>
    public IEnumerable<SchedPrimitive> PrimitivesOf(string resource)
    {
        if (Picture is null || PictureConfig?.FindResource(resource) is not { } r) return [];
        var ids = r.Primitives().Select(p => p.Id).ToHashSet();
        return Picture.AllPrimitives().Where(p => ids.Contains(p.Id.Split(':')[0]));
    }

    /// <summary>Where a resource is active: (node, role) pairs, each node once with its highest role.</summary>
    public IReadOnlyList<(string Node, Role Role)> Where(string resource) => ActiveNodes.Of(PrimitivesOf(resource));
}
