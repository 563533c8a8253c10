using System.Text.Json;
using System.Text.Json.Serialization;
using HaCluster.Core.Api;

namespace HaCluster.Daemon.Controller;

/// <summary>One recorded operation; <see cref="Digest"/> is the op-digest of its parameters (so a later change restarts it).</summary>
public sealed record OperationDto(string Key, string Task, long IntervalMs, int Rc, int ExpectedRc, int OpStatus, int CallId, long LastRcChange, string? ExitReason, string? Digest = null);

/// <summary>What one node knows about one resource (Pacemaker's lrm_resource).</summary>
public sealed record HistoryDto(string Id, string Class, string? Provider, string Type, List<OperationDto> Operations);

/// <summary>A node's whole resource state, sent to the DC whenever it changes or the DC changes.</summary>
/// <param name="ViewEpoch">The DC's report round this answers (-1: an unsolicited update).</param>
/// <param name="ProbedConfiguration">The CIB version every configured resource has been probed against.</param>
/// <param name="ShuttingDown">The node is stopping: move its resources away, then let it leave without fencing.</param>
public sealed record NodeReport(string Node, long ViewEpoch, bool Probed, List<HistoryDto> Histories, Dictionary<string, string> Attributes, string? ProbedConfiguration = null, bool ShuttingDown = false);

/// <summary>The DC asks a node to run one action of a transition.</summary>
/// <param name="Target">For fencing (Task "reboot", "off" or "on" on a stonith device): the node to fence.</param>
/// <param name="Meta">Extra meta attributes for the agent: a clone notification's variables.</param>
public sealed record ExecuteRequest(long Transition, int Action, string Resource, string Task, long IntervalMs, string? Role, string? Target = null,
    IReadOnlyDictionary<string, string>? Meta = null);

/// <summary>A node's answer to an <see cref="ExecuteRequest"/>.</summary>
/// <param name="Target">For fencing: the node fenced (a success is a fact even when its transition was abandoned meanwhile).</param>
/// <param name="Node">The node that carried the action out.</param>
public sealed record ExecuteResult(long Transition, int Action, string Resource, string Task, long IntervalMs, int Rc, bool Ok, string? ExitReason, string? Target = null,
    string? Node = null);

/// <summary>A configuration commit forwarded to the DC, which alone assigns versions.</summary>
/// <param name="BaseVersion">The CIB version the edit started from; null with Force to skip the check.</param>
/// <param name="User">Who committed (the API caller's user) and <paramref name="Origin"/> the node they did it on: the CIB's update-user and update-origin.</param>
public sealed record CommitRequest(long Id, string ConfigurationXml, string? BaseVersion, bool Force, string? User = null, string? Origin = null);

/// <summary>The DC's answer to a <see cref="CommitRequest"/>.</summary>
public sealed record CommitReply(long Id, bool Ok, string? Error, string? Version);

/// <summary>A transient node attribute to set (Value) or delete (null) on the node that owns it.</summary>
public sealed record AttributeChange(string Node, string Name, string? Value);

/// <summary>The controller's messages between nodes (reliable channel, kind byte 2, then JSON).</summary>
/// <param name="StatusXml">From the DC to every member: its last scheduler input, for `hacrm status` anywhere.</param>
/// <param name="Fenced">From the DC to every member: a fencing operation ended (the fencing history).</param>
public sealed record ControllerMessage(NodeReport? Report = null, ExecuteRequest? Execute = null, ExecuteResult? Result = null, bool? ReportRequested = null, string? StatusXml = null,
    CommitRequest? Commit = null, CommitReply? CommitResult = null, string? Cleanup = null, AttributeChange? Attribute = null, FenceEventReply? Fenced = null)
{
    public const byte Kind = 2;

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<ControllerMessage> JsonInfo = ApiJson.Info<ControllerMessage>(ApiJson.For(ControllerJsonContext.Default));

    public byte[] Encode()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, JsonInfo);
        var message = new byte[json.Length + 1];
        message[0] = Kind;
        json.CopyTo(message, 1);
        return message;
    }

    public static ControllerMessage? Decode(byte[] message)
    {
        if (message.Length < 2 || message[0] != Kind) return null;
        try
        {
            return JsonSerializer.Deserialize(message.AsSpan(1), JsonInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Compile-time JSON metadata for the controller's messages (the API's conventions: <see cref="ApiJson.For"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControllerMessage))]
internal sealed partial class ControllerJsonContext : JsonSerializerContext;
