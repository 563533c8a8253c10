using System.Diagnostics;
using System.Text;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

/// <summary>
/// Random mutations of the sample configurations, in every syntax: a parser must answer with
/// diagnostics, never throw or hang, and the validator must take whatever model comes back.
/// Seeded, so a failure names the seed that replays it.
/// </summary>
public class ParserFuzzTests
{
    private const int MutationsPerSyntax = 2500;
    private static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(5);

    private static readonly string[] Fragments =
    {
        "\\", "\\\n", "\"", "'", "#", "=", ":", "(", ")", "[", "]", "{", "}", " rule ", " inf: ", " -inf: ", " op ", " params ", " meta ",
        "$id=", "$id-ref=x", " and ", " or ", " date ", "\n", "\t", "\0", "é", "<", ">", "&", "&amp;", "<!--", "]]>", "- ", ": ", "{ ", "*a", "&a", "!!str",
        "primitive ", "group ", "ms ", "clone ", "location ", "colocation ", "order ", "99999999999999999999", "@", "/", "op_params ",
    };

    private static IEnumerable<(string Text, ConfigurationFormat Format)> Corpus()
    {
        foreach (var file in Directory.GetFiles(TestPaths.Samples, "*.crm").OrderBy(f => f, StringComparer.Ordinal))
        {
            var crm = File.ReadAllText(file);
            yield return (crm, ConfigurationFormat.Crm);
            var model = CrmParser.Parse(crm).Config!;
            yield return (CibXmlWriter.Write(model), ConfigurationFormat.Xml);
            yield return (CibYamlWriter.Write(model), ConfigurationFormat.Yaml);
        }
    }

    private static string Mutate(string text, Random rng)
    {
        var sb = new StringBuilder(text);
        var edits = rng.Next(1, 6);
        for (int i = 0; i < edits && sb.Length > 0; i++)
        {
            var at = rng.Next(sb.Length);
            switch (rng.Next(7))
            {
                case 0: sb.Remove(at, Math.Min(rng.Next(1, 20), sb.Length - at)); break;
                case 1: sb.Insert(at, Fragments[rng.Next(Fragments.Length)]); break;
                case 2: sb[at] = (char)rng.Next(32, 127); break;
                case 3: sb.Length = at; break;
                case 4:
                    var len = Math.Min(rng.Next(1, 200), sb.Length - at);
                    sb.Insert(rng.Next(sb.Length), sb.ToString(at, len));
                    break;
                case 5: sb[at] = (char)rng.Next(0, 0x3000); break;
                default:
                    var lines = sb.ToString().Split('\n').ToList();
                    if (lines.Count > 2) { var k = rng.Next(lines.Count); (lines[k], lines[0]) = (lines[0], lines[k]); }
                    sb.Clear().Append(string.Join('\n', lines));
                    break;
            }
        }
        return sb.ToString();
    }

    [Theory]
    [InlineData(ConfigurationFormat.Crm)]
    [InlineData(ConfigurationFormat.Xml)]
    [InlineData(ConfigurationFormat.Yaml)]
    public async Task Mutated_configurations_give_diagnostics_never_exceptions_or_hangs(ConfigurationFormat format)
    {
        var corpus = Corpus().Where(c => c.Format == format).Select(c => c.Text).ToArray();
        var rng = new Random(20261121 + (int)format);
        int errors = 0;
        for (int i = 0; i < MutationsPerSyntax; i++)
        {
            var input = Mutate(corpus[rng.Next(corpus.Length)], rng);
            // Parse on a worker so that a hang fails this test with its input instead of stalling the run.
            ParseResult result;
            try
            {
                result = await Task.Run(() => ConfigurationFiles.ParseAndValidate(input, "fuzz", format)).WaitAsync(PerInputLimit);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"mutation {i} ({format}) did not finish in {PerInputLimit}\n--- input:\n{input}");
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"mutation {i} ({format}) threw {e.GetType().Name}: {e.Message}\n--- input:\n{input}\n--- {e}");
            }
            if (result.HasErrors)
            {
                errors++;
                Assert.All(result.Errors, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
            }
        }
        // Most mutations must be caught: a parser that accepts everything would pass the rest.
        Assert.True(errors > MutationsPerSyntax / 4, $"only {errors} of {MutationsPerSyntax} mutations were rejected");
    }

    [Fact]
    public void Pathological_inputs_finish_quickly()
    {
        var inputs = new[]
        {
            new string('\\', 100_000), new string('"', 100_001), string.Concat(Enumerable.Repeat("( ", 50_000)),
            "primitive a Dummy params " + string.Concat(Enumerable.Repeat("k=v ", 50_000)),
            "location l a rule 1: " + string.Concat(Enumerable.Repeat("( ", 5_000)) + "x eq 1",
            string.Concat(Enumerable.Repeat("[", 10_000)), new string('<', 100_000),
        };
        foreach (var input in inputs)
            foreach (var format in new[] { ConfigurationFormat.Crm, ConfigurationFormat.Xml, ConfigurationFormat.Yaml })
            {
                var watch = Stopwatch.StartNew();
                _ = ConfigurationFiles.ParseAndValidate(input, "p", format);
                Assert.True(watch.Elapsed < PerInputLimit, $"{format} took {watch.Elapsed} on a {input.Length}-char input starting '{input[..10]}'");
            }
    }
}
