using System.Text.Json.Serialization;

namespace HaCluster.Core.Api;

/// <summary>One transition in the history.</summary>
/// <param name="Sequence">Its number in this node's series (pe-input-N).</param>
public sealed record TransitionRecord
{
    public long Sequence { get; init; }
    /// <summary>The transition's number as the DC logged it ("transition 7").</summary>
    public long Transition { get; init; }
    public long Started { get; init; }
    public long? Ended { get; set; }
    /// <summary>running, complete, aborted.</summary>
    public string Result { get; set; } = "running";
    public long? TookMs { get; set; }
    public List<string> Summary { get; init; } = [];
    public List<ActionRecord>? Actions { get; set; }
    /// <summary>The input's file name when it is kept.</summary>
    public string? Input { get; set; }
}

public sealed record ActionRecord(string Action, string Outcome);

public sealed record HistoryDocument(IReadOnlyList<TransitionRecord> Transitions);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TransitionRecord))]
[JsonSerializable(typeof(HistoryDocument))]
public sealed partial class HistoryJsonContext : JsonSerializerContext;
