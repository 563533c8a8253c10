using System.Text.Json;
using System.Text.Json.Serialization;
using HaCluster.Core.Api;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// One recorded operation; <see cref="Digest"/> is the op-digest of its parameters (so a later
/// change restarts it); a migration's records name its source and target, as Pacemaker's do
/// (without them a migration cut short by a new view was taken for one never begun).
/// </summary>
public sealed record OperationDto(string Key, string Task, long IntervalMs, int Rc, int ExpectedRc, int OpStatus, int CallId, long LastRcChange, string? ExitReason, string? Digest = null,
    string? MigrateSource = null, string? MigrateTarget = null);

/// <summary>What one node knows about one resource (Pacemaker's lrm_resource).</summary>
public sealed record HistoryDto(string Id, string Class, string? Provider, string Type, List<OperationDto> Operations);

/// <summary>A node's whole resource state, sent to the DC whenever it changes or the DC changes.</summary>
/// <param name="ViewEpoch">The DC's report round this answers (-1: an unsolicited update).</param>
/// <param name="ProbedConfiguration">The CIB version every configured resource has been probed against.</param>
/// <param name="ShuttingDown">The node is stopping: move its resources away, then let it leave without fencing.</param>
/// <param name="Pending">Operations running on the node now (recurring monitors aside): what they do is not in its histories yet.</param>
/// <param name="Revision">
/// The node's record changes this many times (ResourceHistoryBook): reports reach the controller
/// out of the order they were taken (an operation's end and a probe pass, each from its own
/// thread), and an older one must not replace a newer (simulator, seed 830779: a node reported a
/// probe of the configuration in force, then a start's older report undid it and the DC waited for
/// that probe forever).
/// </param>
/// <param name="Term">The highest DC term the node knows of (see CommitProtocol.BecameDc), and <paramref name="TermHolders"/> the DCs it knows held it.</param>
public sealed record NodeReport(string Node, long ViewEpoch, bool Probed, List<HistoryDto> Histories, Dictionary<string, string> Attributes, string? ProbedConfiguration = null, bool ShuttingDown = false,
    int Pending = 0, long Term = 0, int[]? TermHolders = null, long Revision = 0);

/// <summary>The DC asks a node to run one action of a transition.</summary>
/// <param name="Target">For fencing (Task "reboot", "off" or "on" on a stonith device): the node to fence.</param>
/// <param name="Meta">Extra meta attributes for the agent: a clone notification's variables.</param>
/// <param name="DcIncarnation">
/// The incarnation of the DC that sent it: with <paramref name="Transition"/> and
/// <paramref name="Action"/> the action's key (Pacemaker's transition key carries the DC's UUID for
/// the same reason). Transition numbers start again at 1 in every DC; without the DC in the key, a
/// result of the transition a crashed DC left running matched an action of its restarted self's
/// first transition, which then started a VM that had not been stopped (simulator, seed 90568).
/// </param>
/// <param name="Round">
/// The DC's report round the action was planned in. A DC opens a round on every view change and
/// abandons its transition then, so a member runs an action only if it comes from the round it
/// last answered for that DC (Pacemaker's join protocol has the same effect).
/// </param>
public sealed record ExecuteRequest(long Transition, int Action, string Resource, string Task, long IntervalMs, string? Role, string? Target = null,
    IReadOnlyDictionary<string, string>? Meta = null, long DcIncarnation = 0, long Round = 0)
{
    /// <summary>This request's answer: it carries the request's key back to the DC.</summary>
    /// <param name="intervalMs">The interval reported; the request's when null.</param>
    public ExecuteResult Answer(int rc, bool ok, string? exitReason, string? node = null, long? intervalMs = null) =>
        new(Transition, Action, Resource, Task, intervalMs ?? IntervalMs, rc, ok, exitReason, Target, node, DcIncarnation);
}

/// <summary>A node's answer to an <see cref="ExecuteRequest"/>.</summary>
/// <param name="Target">For fencing: the node fenced (a success is a fact even when its transition was abandoned meanwhile).</param>
/// <param name="Node">The node that carried the action out.</param>
/// <param name="DcIncarnation">The requesting DC's incarnation, as in <see cref="ExecuteRequest.DcIncarnation"/>.</param>
public sealed record ExecuteResult(long Transition, int Action, string Resource, string Task, long IntervalMs, int Rc, bool Ok, string? ExitReason, string? Target = null,
    string? Node = null, long DcIncarnation = 0);

/// <summary>A configuration commit forwarded to the DC, which alone assigns versions.</summary>
/// <param name="BaseVersion">The CIB version the edit started from; null with Force to skip the check.</param>
/// <param name="User">Who committed (the API caller's user) and <paramref name="Origin"/> the node they did it on: the CIB's update-user and update-origin.</param>
public sealed record CommitRequest(long Id, string ConfigurationXml, string? BaseVersion, bool Force, string? User = null, string? Origin = null);

/// <summary>The DC's answer to a <see cref="CommitRequest"/>.</summary>
public sealed record CommitReply(long Id, bool Ok, string? Error, string? Version);

/// <summary>
/// The refusal a client can act on: the CIB moved on since the edit's base version (reload and
/// edit again, or force). Its words are the protocol: the shell suggests 'commit force', the
/// REST API answers 409.
/// </summary>
public static class StaleBase
{
    public const string Words = "the CIB changed since the edit began";

    public static bool Refused(string? error) => error?.Contains(Words, StringComparison.Ordinal) == true;
}

/// <summary>A transient node attribute to set (Value) or delete (null) on the node that owns it.</summary>
public sealed record AttributeChange(string Node, string Name, string? Value);

/// <summary>
/// The controllers' messages between nodes, one closed set: each kind is a record of its own and
/// <see cref="Controller"/> dispatches them with one <c>switch</c>. They travel on the membership
/// layer's reliable channel: a CIB copy as kind byte 1 and the binary form of <see cref="CibSync"/>
/// (large, and read before any JSON), everything else as kind byte 2 and JSON with a "type" field.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ReportRequest), "report_request")]
[JsonDerivedType(typeof(ReportMessage), "report")]
[JsonDerivedType(typeof(ExecuteMessage), "execute")]
[JsonDerivedType(typeof(ResultMessage), "result")]
[JsonDerivedType(typeof(StatusPictureMessage), "status_picture")]
[JsonDerivedType(typeof(CommitMessage), "commit")]
[JsonDerivedType(typeof(CommitResultMessage), "commit_result")]
[JsonDerivedType(typeof(CleanupMessage), "cleanup")]
[JsonDerivedType(typeof(AttributeMessage), "attribute")]
[JsonDerivedType(typeof(FencedMessage), "fenced")]
[JsonDerivedType(typeof(FenceYourselfMessage), "fence_yourself")]
[JsonDerivedType(typeof(LeftCleanlyMessage), "left_cleanly")]
[JsonDerivedType(typeof(CibPatchMessage), "cib_patch")]
[JsonDerivedType(typeof(CibCopyWantedMessage), "cib_copy_wanted")]
public abstract record ControllerMessage
{
    /// <summary>The first byte of a JSON controller message on the reliable channel.</summary>
    public const byte Kind = 2;

    /// <summary>
    /// The API's conventions, strict: every member of the record is written (nulls too), and one
    /// that is missing, or null where the record does not declare it nullable, makes the message
    /// not decode (a peer's bug is a dropped message, not a controller that throws: fuzzing, issue 22).
    /// </summary>
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<ControllerMessage> JsonInfo =
        ApiJson.Info<ControllerMessage>(Strict(ApiJson.For(ControllerJsonContext.Default)));

    private static JsonSerializerOptions Strict(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        return options;
    }

    public byte[] Encode()
    {
        if (this is CibCopyMessage copy) return CibSync.Encode(copy.Version, copy.Xml);
        var json = JsonSerializer.SerializeToUtf8Bytes(this, JsonInfo);
        var message = new byte[json.Length + 1];
        message[0] = Kind;
        json.CopyTo(message, 1);
        return message;
    }

    /// <summary>
    /// Whether a list or map inside holds a null: the serializer's nullable checks stop at members,
    /// not at the elements of collections (fuzzing: a report with <c>"histories":[null]</c> threw in
    /// the DC's scheduling).
    /// </summary>
    protected virtual bool HasNullInside() => false;

    /// <summary>The message in <paramref name="bytes"/>, or null when it is none (garbage is dropped, never thrown).</summary>
    public static ControllerMessage? Decode(byte[] bytes) => Decode(bytes, out _);

    /// <summary>As <see cref="Decode(byte[])"/>, with why a message did not decode (for the log).</summary>
    public static ControllerMessage? Decode(byte[] bytes, out string? error)
    {
        error = null;
        if (bytes.Length > 0 && bytes[0] == CibSync.FullCopy)
        {
            if (CibSync.TryDecode(bytes, out var version, out var xml)) return new CibCopyMessage(version, xml.ToArray());
            error = "a CIB copy too short for its header";
            return null;
        }
        if (bytes.Length < 2 || bytes[0] != Kind)
        {
            error = "not a controller message (unknown kind byte)";
            return null;
        }
        try
        {
            var message = JsonSerializer.Deserialize(bytes.AsSpan(1), JsonInfo);
            if (message is null || message.HasNullInside())
            {
                error = "a null where the message never holds one (inside a list or map)";
                return null;
            }
            return message;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            error = e.Message;
            return null;
        }
    }
}

/// <summary>
/// The DC opens report round <paramref name="Round"/> (or asks again within it): the member answers
/// with its resources. <paramref name="Term"/>: the highest term the DC knows, held by <paramref name="TermHolders"/>
/// (the DC itself, once it has settled on its term).
/// </summary>
public sealed record ReportRequest(long Round, long Term = 0, int[]? TermHolders = null) : ControllerMessage;

/// <summary>A member's resources, for the DC.</summary>
public sealed record ReportMessage(NodeReport Report) : ControllerMessage
{
    protected override bool HasNullInside() =>
        Report.Histories.Any(h => h is null || h.Operations is null || h.Operations.Any(o => o is null)) || Report.Attributes.Values.Any(v => v is null);
}

/// <summary>The DC asks a member to run one action.</summary>
public sealed record ExecuteMessage(ExecuteRequest Request) : ControllerMessage
{
    protected override bool HasNullInside() => Request.Meta?.Values.Any(v => v is null) == true;
}

/// <summary>A member tells the DC how an action ended.</summary>
public sealed record ResultMessage(ExecuteResult Result) : ControllerMessage;

/// <summary>From the DC to every member: its last scheduler input, for `hacrm status` anywhere (and a later DC).</summary>
public sealed record StatusPictureMessage(string Xml) : ControllerMessage;

/// <summary>A commit forwarded to the DC.</summary>
public sealed record CommitMessage(CommitRequest Request) : ControllerMessage;

/// <summary>The DC's answer to a forwarded commit.</summary>
public sealed record CommitResultMessage(CommitReply Reply) : ControllerMessage;

/// <summary>`hacrm resource cleanup`: every member forgets the resource's history and probes again.</summary>
public sealed record CleanupMessage(string Resource) : ControllerMessage;

/// <summary>A transient attribute for the node that owns it.</summary>
public sealed record AttributeMessage(AttributeChange Change) : ControllerMessage;

/// <summary>From the DC to every member: a fencing operation ended (the fencing history).</summary>
public sealed record FencedMessage(FenceEventReply Event) : ControllerMessage;

/// <summary>
/// From the DC to a member it must fence when only watchdog fencing can (no device reaches it):
/// reset yourself (as Pacemaker's fencer asks a node's SBD). The DC takes it for fenced once it
/// has left the view and the stonith-watchdog-timeout has passed.
/// </summary>
public sealed record FenceYourselfMessage(string Reason) : ControllerMessage;

/// <summary>
/// From a node that shut down cleanly, to every member, as it leaves: nothing runs on it, so
/// whichever member is DC next takes it for cleanly down, not lost. (Learnt before only from the
/// old DC's last status picture, which a DC stopping itself could leave before sending: its
/// successor fenced it.)
/// </summary>
public sealed record LeftCleanlyMessage : ControllerMessage;

/// <summary>A whole copy of the CIB, from the member holding the newest to one advertising an older one.</summary>
public sealed record CibCopyMessage(CibVersion Version, byte[] Xml) : ControllerMessage;

/// <summary>The change from the CIB a member advertises to the sender's (sent instead of a whole copy when much smaller).</summary>
public sealed record CibPatchMessage(CibPatch Patch) : ControllerMessage
{
    protected override bool HasNullInside() => Patch.Hunks.Any(h => h is null || h.Inserted.Any(l => l is null));
}

/// <summary>A patch did not fit the receiver's copy (<paramref name="Have"/>): it asks for a whole copy.</summary>
public sealed record CibCopyWantedMessage(CibVersion Have) : ControllerMessage;

/// <summary>Compile-time JSON metadata for the controller's messages (the API's conventions: <see cref="ApiJson.For"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControllerMessage))]
internal sealed partial class ControllerJsonContext : JsonSerializerContext;
