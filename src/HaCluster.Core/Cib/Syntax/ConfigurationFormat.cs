namespace HaCluster.Core.Cib.Syntax;

/// <summary>The three spellings of one configuration model.</summary>
public enum ConfigurationFormat { Crm, Xml, Yaml }

/// <summary>
/// Reads and writes configurations in any syntax, choosing it by file extension
/// (.crm/.txt crm, .xml, .yaml/.yml), and validates what it reads.
/// </summary>
public static class ConfigurationFiles
{
    public static ConfigurationFormat? FormatFromExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".crm" or ".txt" or ".cfg" => ConfigurationFormat.Crm,
            ".xml" => ConfigurationFormat.Xml,
            ".yaml" or ".yml" => ConfigurationFormat.Yaml,
            _ => null,
        };

    public static ConfigurationFormat? ParseFormatName(string name) =>
        name.ToLowerInvariant() switch
        {
            "crm" => ConfigurationFormat.Crm,
            "xml" or "cib" => ConfigurationFormat.Xml,
            "yaml" or "yml" => ConfigurationFormat.Yaml,
            _ => null,
        };

    /// <summary>Syntax only: the model and syntax diagnostics.</summary>
    public static ParseResult Parse(string text, string file, ConfigurationFormat format) => format switch
    {
        ConfigurationFormat.Crm => CrmParser.Parse(text, file),
        ConfigurationFormat.Xml => CibXmlReader.Parse(text, file),
        _ => CibYamlReader.Parse(text, file),
    };

    /// <summary>Syntax only, read as it comes: a CIB (XML) is streamed, the other syntaxes read whole.</summary>
    public static ParseResult Parse(TextReader input, string file, ConfigurationFormat format) =>
        format == ConfigurationFormat.Xml ? CibXmlReader.Parse(input, file) : Parse(input.ReadToEnd(), file, format);

    /// <summary>Syntax and semantics: what <c>hacrm configure verify</c> reports.</summary>
    public static ParseResult ParseAndValidate(string text, string file, ConfigurationFormat format) =>
        Validated(Parse(text, file, format));

    /// <summary>Syntax and semantics, read as it comes.</summary>
    public static ParseResult ParseAndValidate(TextReader input, string file, ConfigurationFormat format) =>
        Validated(Parse(input, file, format));

    private static ParseResult Validated(ParseResult parsed)
    {
        if (parsed.Config is null) return parsed;
        var all = parsed.Diagnostics.Concat(ConfigValidator.Validate(parsed.Config, parsed.SourceMap)).ToList();
        return parsed with { Diagnostics = all };
    }

    public static string Write(ClusterConfig config, ConfigurationFormat format) => format switch
    {
        ConfigurationFormat.Crm => CrmPrinter.Print(config),
        ConfigurationFormat.Xml => CibXmlWriter.Write(config),
        _ => CibYamlWriter.Write(config),
    };
}
