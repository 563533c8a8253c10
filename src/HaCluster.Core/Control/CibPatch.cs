using System.Security.Cryptography;
using System.Text;
using DiffPlex;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>One run of changed lines: at line <paramref name="Start"/> of the base, <paramref name="Deleted"/> lines give way to <paramref name="Inserted"/>.</summary>
public sealed record CibPatchHunk(int Start, int Deleted, string[] Inserted);

/// <summary>
/// A CIB change as Pacemaker's CIB replicates one: the edits that turn the copy of
/// <paramref name="BaseVersion"/> into <paramref name="Version"/>, rather than the whole copy. The
/// CIB is written one element per line, so a change is a few line hunks (found by DiffPlex's
/// Myers diff). Safe because one version names one content (the commit protocol's invariant);
/// checked anyway: the result must hash to <paramref name="Sha256"/> and parse as a CIB of
/// <paramref name="Version"/>, or the receiver asks for a whole copy.
/// </summary>
public sealed record CibPatch(CibVersion BaseVersion, CibVersion Version, byte[] Sha256, CibPatchHunk[] Hunks)
{
    /// <summary>
    /// The patch from one copy to another, or null when it would not be much smaller than the new
    /// copy itself (a rewrite: a whole copy then costs the same and needs no base).
    /// </summary>
    public static CibPatch? Between(CibVersion baseVersion, byte[] baseXml, CibVersion version, byte[] xml)
    {
        var diff = Differ.Instance.CreateDiffs(Encoding.UTF8.GetString(baseXml), Encoding.UTF8.GetString(xml), false, false, LineChunker);
        var hunks = diff.DiffBlocks
            .Select(b => new CibPatchHunk(b.DeleteStartA, b.DeleteCountA, diff.PiecesNew.Skip(b.InsertStartB).Take(b.InsertCountB).ToArray()))
            .ToArray();
        var size = hunks.Sum(h => 16 + h.Inserted.Sum(l => l.Length));
        if (size > xml.Length / 2) return null;
        return new CibPatch(baseVersion, version, SHA256.HashData(xml), hunks);
    }

    /// <summary>The new copy made from <paramref name="baseXml"/>, or null when this patch does not fit it.</summary>
    public byte[]? ApplyTo(byte[] baseXml)
    {
        // Decoded from a peer: shapes JSON allows but a patch never has are refused, not thrown on.
        if (Hunks is null || Sha256 is not { Length: 32 } || Hunks.Any(h => h?.Inserted is null || h.Inserted.Any(l => l is null))) return null;
        var lines = LineChunker.Chunk(Encoding.UTF8.GetString(baseXml));
        var result = new StringBuilder(baseXml.Length + Hunks.Sum(h => h.Inserted.Sum(l => l.Length)));
        var next = 0;
        foreach (var hunk in Hunks)
        {
            if (hunk.Start < next || hunk.Deleted < 0 || hunk.Start + hunk.Deleted > lines.Count) return null;
            for (; next < hunk.Start; next++) result.Append(lines[next]);
            foreach (var line in hunk.Inserted) result.Append(line);
            next += hunk.Deleted;
        }
        for (; next < lines.Count; next++) result.Append(lines[next]);
        var bytes = Encoding.UTF8.GetBytes(result.ToString());
        return SHA256.HashData(bytes).AsSpan().SequenceEqual(Sha256) ? bytes : null;
    }

    /// <summary>Lines with their line ends kept, so that joining them gives back the text byte for byte.</summary>
    private static readonly KeepingLineChunker LineChunker = new();

    private sealed class KeepingLineChunker : IChunker
    {
        public IReadOnlyList<string> Chunk(string text)
        {
            var lines = new List<string>();
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] != '\n') continue;
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
            if (start < text.Length) lines.Add(text[start..]);
            return lines;
        }
    }
}
