using System.Text;

namespace HaCluster.Simulation.Fuzzing;

/// <summary>
/// Turns a valid input into a nearly valid one, as a careless edit or a damaged file would: a
/// few of byte flips, deletions, duplications, truncations and insertions of the syntaxes' own
/// tokens (a bracket, a quote, a keyword, a deep nesting, a control byte). Seeded: the same
/// seed gives the same inputs.
/// </summary>
public sealed class Mutator(int seed)
{
    private readonly Random random = new(seed);

    /// <summary>Pieces of every syntax we read: each opens or closes a structure, or is a keyword.</summary>
    private static readonly string[] Tokens =
    [
        "(", ")", "[", "]", "{", "}", "<", ">", "</", "/>", "\"", "'", "\\", "=", ":", ";", ",", "#", "\n", "\t", " ", "-", "- ",
        "\0", "\u00ff", "\u2028", "\ufeff", "&amp;", "&#0;", "&x;", "<!DOCTYPE x [<!ENTITY x \"xx\">]>", "<![CDATA[", "]]>", "<!--", "-->",
        "inf:", "-inf:", "INFINITY", "rule", "and", "or", "not", "defined", "date", "in_range", "primitive", "group", "clone", "ms",
        "location", "colocation", "order", "property", "rsc_defaults", "op", "params", "meta", "monitor", "interval=0", "interval=-1",
        "<rule id=\"r\" score=\"1\">", "<primitive id=\"p\" class=\"ocf\" type=\"Dummy\"/>", "<nvpair name=\"x\" value=\"y\"/>",
        "nodes:", "rings:", "timers:", "quorum:", "unicast:", "multicast:", "addresses: [", "id: ", "name: ", "port: 99999", "&a", "*a",
        "!!binary", "? ", "|", ">-", "---", "...", "%YAML 1.1", "1e999", "-0", "99999999999999999999", "0x10", "NaN",
    ];

    public string Mutate(string input)
    {
        var text = new StringBuilder(input);
        for (var n = random.Next(1, 5); n > 0; n--) MutateOnce(text);
        return text.ToString();
    }

    public byte[] Mutate(byte[] input)
    {
        var bytes = new List<byte>(input);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(random.Next(bytes.Count));
                    break;
                case 3:
                    bytes.InsertRange(random.Next(bytes.Count + 1), Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                    break;
                default:
                    // Truncated.
                    if (bytes.Count > 0)
                    {
                        var at = random.Next(bytes.Count);
                        bytes.RemoveRange(at, bytes.Count - at);
                    }
                    break;
            }
        }
        return bytes.ToArray();
    }

    private void MutateOnce(StringBuilder text)
    {
        var at = text.Length == 0 ? 0 : random.Next(text.Length);
        switch (random.Next(7))
        {
            case 0 when text.Length > 0:
                text[at] = (char)random.Next(0, 128);
                break;
            case 1 when text.Length > 0:
                text.Remove(at, Math.Min(random.Next(1, 64), text.Length - at));
                break;
            case 2 when text.Length > 0:
                var length = Math.Min(random.Next(1, 256), text.Length - at);
                text.Insert(random.Next(text.Length + 1), text.ToString(at, length));
                break;
            case 3:
                text.Length = at; // truncated, as a half-written file
                break;
            case 4:
                // Deep nesting of one structure: the readers' limits must hold.
                var token = Tokens[random.Next(16)];
                text.Insert(at, string.Concat(Enumerable.Repeat(token, random.Next(1, 3) == 1 ? random.Next(2, 200) : random.Next(200, 5000))));
                break;
            default:
                text.Insert(at, Tokens[random.Next(Tokens.Length)]);
                break;
        }
    }
}
