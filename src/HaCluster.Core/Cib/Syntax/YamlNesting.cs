using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Reads a YAML text's events once (YamlDotNet's parser keeps its own stack, it does not recurse)
/// to find collections nested deeper than any configuration needs, before the text is loaded
/// into a tree: loading recurses, and 100,000 nested sequences (`- - - …`, a 200 KB line)
/// overflowed the stack and killed haclusterd (issue 22).
/// </summary>
public static class YamlNesting
{
    /// <summary>Deeper than any configuration nests (cluster.yaml: 4; resources: about 8; the flow-collection guard of CibYamlReader allows as many).</summary>
    public const int MaxDepth = 100;

    /// <summary>Where the text first nests deeper than <see cref="MaxDepth"/> (1-based line and column), or null.</summary>
    public static (int Line, int Column)? TooDeep(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case SequenceStart or MappingStart:
                        if (++depth > MaxDepth) return ((int)parser.Current.Start.Line, (int)parser.Current.Start.Column);
                        break;
                    case SequenceEnd or MappingEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // A syntax error: the loader reports it, with its place.
        }
        return null;
    }
}
