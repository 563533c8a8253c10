using HaCluster.Core.Api;
using HaCluster.Core.Policy;
using HaCluster.Core.Status.Views;

namespace HaCluster.Daemon.Http;

/// <summary>
/// The live status for the HTTP views: the daemon's status reply (membership, the DC's last
/// picture) and that picture evaluated (what runs where), which is computed once per picture and
/// at most once a second, however many pages and scrapers ask.
/// </summary>
/// <param name="read">The daemon's status; with true, this node's own CIB too (only the configuration view needs it).</param>
public sealed class StatusSource(Func<bool, ClusterStatusReply?> read)
{
    /// <summary>The status with this node's own CIB (ConfigurationXml, CibVersion), for /api/v1/config.</summary>
    public ClusterStatusReply? WithConfiguration() => read(true);

    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private readonly object gate = new();
    private (string? Xml, DateTimeOffset At, WorkingSet? Picture)? last;

    /// <summary>Null while the daemon is starting.</summary>
    public (ClusterStatusReply Status, WorkingSet? Picture)? Current()
    {
        if (read(false) is not { } status) return null;
        var now = DateTimeOffset.UtcNow;
        lock (gate)
        {
            if (last is { } l && ReferenceEquals(l.Xml, status.CibXml) && now - l.At < MaxAge) return (status, l.Picture);
        }
        WorkingSet? picture;
        try
        {
            picture = LiveStatusView.Picture(status, now);
        }
        catch (Exception e) when (e is System.Xml.XmlException or FormatException)
        {
            picture = null;
        }
        lock (gate) last = (status.CibXml, now, picture);
        return (status, picture);
    }
}
