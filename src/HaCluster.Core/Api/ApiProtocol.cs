using System.Text.Json;
using System.Text.Json.Serialization;

namespace HaCluster.Core.Api;

/// <summary>
/// The local API between hacrm and haclusterd: over the Unix socket, the client writes one JSON
/// request on one line, the daemon answers one JSON document and closes. Only root and members
/// of group haclient may connect.
/// </summary>
public sealed record ApiRequest(string Command, IReadOnlyDictionary<string, string>? Arguments = null)
{
    /// <summary>
    /// A commit of a whole configuration, based on the CIB version the edit started from (null:
    /// no version check) or forced: every client builds it here (hacrm's edits, its shell, the REST API).
    /// </summary>
    public static ApiRequest Commit(Cib.ClusterConfig configuration, string? baseVersion, bool force)
    {
        var arguments = new Dictionary<string, string>
        {
            ["configuration"] = Cib.Syntax.CibXmlWriter.Write(configuration),
            ["force"] = force ? "true" : "false",
        };
        if (baseVersion is not null) arguments["base"] = baseVersion;
        return new ApiRequest("commit", arguments);
    }
}

/// <param name="Version">For a commit: the CIB version it became.</param>
/// <param name="Text">For a status view: the status laid out (text or XML).</param>
/// <param name="Exit">For a status view: the exit status hacrm gives (LiveStatusView.Exit*).</param>
public sealed record ApiReply(bool Ok, string? Error = null, ClusterStatusReply? Status = null, string? Version = null, string? Text = null, int? Exit = null);

/// <summary>What `hacrm status` shows of a live cluster (the membership part, for now).</summary>
public sealed record ClusterStatusReply(
    string ClusterName,
    string Stack,
    string ThisNode,
    string? Dc,
    bool Quorate,
    int Votes,
    int ExpectedVotes,
    bool Agreed,
    bool Settled,
    long ViewEpoch,
    IReadOnlyList<NodeStatusReply> Nodes,
    IReadOnlyList<RingStatusReply> Rings,
    IReadOnlyDictionary<string, long> DroppedPackets,
    long HeartbeatsSent)
{
    /// <summary>This node's CIB version (admin_epoch.epoch.num_updates).</summary>
    public string? CibVersion { get; init; }

    /// <summary>This node's copy of the CIB (its configuration is what edits start from, at <see cref="CibVersion"/>).</summary>
    public string? ConfigurationXml { get; init; }

    /// <summary>The configuration of <see cref="ConfigurationXml"/>, what an edit starts from (empty before there is one).</summary>
    public Cib.ClusterConfig RunningConfiguration() =>
        ConfigurationXml is { } xml ? Cib.Syntax.CibXmlReader.Parse(xml, "running").Config ?? Cib.ClusterConfig.Empty : Cib.ClusterConfig.Empty;

    /// <summary>The DC's last scheduler input (configuration and status, CIB XML): what runs where.</summary>
    public string? CibXml { get; init; }

    /// <summary>Fencing operations this node knows of (the DC tells every member), oldest first.</summary>
    public IReadOnlyList<FenceEventReply>? FencingHistory { get; init; }

    /// <summary>Who last changed the configuration, when, how and where ("... by root via hacrm on node1").</summary>
    public string? LastChange { get; init; }
}

/// <summary>
/// One fencing operation, as crm_mon's fencing history shows it.
/// </summary>
/// <param name="Action">off, reboot or on.</param>
/// <param name="Delegate">The member whose device did it.</param>
/// <param name="Origin">The DC that asked for it.</param>
/// <param name="Completed">When it ended (unix seconds).</param>
public sealed record FenceEventReply(string Target, string Action, bool Ok, string Device, string Delegate, string Origin, long Completed, string? ExitReason = null);

/// <summary>One node: "online", "suspect" (late, still a member), "offline" or "unseen".</summary>
public sealed record NodeStatusReply(string Name, int Id, string State, IReadOnlyList<bool> RingsUp, double? SecondsSinceHeard);

public sealed record RingStatusReply(int Index, string Kind, string Address, bool Healthy, IReadOnlyList<string> MissingPeers);

public static class ApiJson
{
    /// <summary>
    /// The API's options, resolved only by the source-generated <see cref="ApiJsonContext"/>: no
    /// reflection at start-up (it cost every `hacrm status` ~300 ms of a new process's time), and
    /// hacrm can be compiled ahead of time (NativeAOT), where reflection-based JSON is not allowed.
    /// </summary>
    public static readonly JsonSerializerOptions Options = For(ApiJsonContext.Default);

    /// <summary>The source-generated contract for <typeparamref name="T"/> under <paramref name="options"/> (the API's by default).</summary>
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>(JsonSerializerOptions? options = null) =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)(options ?? Options).GetTypeInfo(typeof(T));

    /// <summary>The API's conventions (snake_case, nulls left out) over a source-generated context: the daemon's own messages use them too.</summary>
    public static JsonSerializerOptions For(JsonSerializerContext context) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
        TypeInfoResolver = context,
    };
}

/// <summary>Compile-time JSON metadata for the local API's messages.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApiRequest))]
[JsonSerializable(typeof(ApiReply))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
