using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

/// <summary>Pacemaker's own scheduler regression CIBs (shared/conformance) as import material.</summary>
public class CibXmlImportTests
{
    public static IEnumerable<object[]> ConformanceFiles() =>
        Directory.GetFiles(TestPaths.ConformanceXml, "*.xml").OrderBy(f => f, StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    private static ParseResult Import(string name) =>
        CibXmlReader.Parse(File.ReadAllText(Path.Combine(TestPaths.ConformanceXml, name)), name);

    [Fact]
    public void The_conformance_corpus_is_there()
    {
        Assert.True(Directory.GetFiles(TestPaths.ConformanceXml, "*.xml").Length >= 400);
    }

    [Theory]
    [MemberData(nameof(ConformanceFiles))]
    public void Imports_without_throwing_and_reports_only_unsupported_constructs(string name)
    {
        var r = Import(name);
        foreach (var e in r.Errors)
        {
            Assert.NotNull(e.Location);
            Assert.Matches(@"^unsupported: <[\w-]+> at line \d+", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(ConformanceFiles))]
    public void Imported_configuration_survives_every_syntax(string name)
    {
        var r = Import(name);
        if (r.HasErrors) return; // bundles: reported as unsupported, covered above
        var model = r.Config!;
        foreach (var format in new[] { ConfigurationFormat.Crm, ConfigurationFormat.Xml, ConfigurationFormat.Yaml })
        {
            var text = ConfigurationFiles.Write(model, format);
            var back = ConfigurationFiles.Parse(text, name + "." + format, format);
            Assert.False(back.HasErrors, $"{format}:\n{string.Join("\n", back.Diagnostics)}");
            if (back.Config != model)
                Assert.Fail($"{format}: " + RoundTripTests.FirstDifference(model.ToString(), back.Config!.ToString()));
        }
    }

    [Fact]
    public void Only_bundle_cibs_fail_to_import()
    {
        var failing = ConformanceFiles().Select(f => (string)f[0]).Where(n => Import(n).HasErrors).ToList();
        foreach (var n in failing)
            Assert.Contains(Import(n).Errors, e => e.Message.StartsWith("unsupported: <bundle>"));
        Assert.True(failing.Count < 40, $"{failing.Count} conformance CIBs fail to import");
    }

    [Fact]
    public void Unknown_elements_are_reported_with_their_line()
    {
        var r = CibXmlReader.Parse("""
            <cib><configuration>
              <crm_config/>
              <resources>
                <primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
                  <frobnicator id="x"/>
                </primitive>
              </resources>
              <constraints/>
            </configuration></cib>
            """, "in.xml");
        var e = Assert.Single(r.Errors);
        Assert.Equal("unsupported: <frobnicator> at line 5", e.Message);
        Assert.Equal(5, e.Location!.Value.Line);
    }

    [Fact]
    public void Malformed_xml_is_a_located_error()
    {
        var r = CibXmlReader.Parse("<cib><configuration>\n<resources>\n</configuration></cib>", "bad.xml");
        Assert.Null(r.Config);
        var e = Assert.Single(r.Errors);
        Assert.Equal("bad.xml", e.Location!.Value.File);
        Assert.Equal(3, e.Location!.Value.Line);
    }

    [Fact]
    public void Id_refs_to_shared_attribute_sets_and_operations_resolve()
    {
        var r = CibXmlReader.Parse("""
            <cib><configuration><crm_config/><nodes/>
              <resources>
                <primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
                  <meta_attributes id="shared"><nvpair id="s1" name="target-role" value="Stopped"/></meta_attributes>
                  <operations id="ops"><op id="a-mon" name="monitor" interval="10s"/></operations>
                </primitive>
                <primitive id="b" class="ocf" provider="heartbeat" type="Dummy">
                  <meta_attributes id-ref="shared"/>
                  <operations id-ref="ops"/>
                </primitive>
              </resources><constraints/>
            </configuration></cib>
            """, "in.xml");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var b = (Primitive)r.Config!.Resources[1];
        Assert.Equal("Stopped", b.MetaAttributes[0].Get("target-role"));
        Assert.Equal("shared", b.MetaAttributes[0].IdRef);
        Assert.Equal("10s", Assert.Single(b.Operations).Interval);
    }

    [Fact]
    public void Generated_ids_are_not_kept_but_operator_ids_are()
    {
        var c = CrmParserTests.ParseOk("primitive a Dummy params $id=my-params x=1 meta y=2 op monitor interval=10s");
        var xml = CibXmlWriter.Write(c);
        Assert.Contains("id=\"my-params\"", xml);
        Assert.Contains("id=\"a-meta_attributes\"", xml);
        Assert.Contains("id=\"a-monitor-10s\"", xml);
        var back = (Primitive)CibXmlReader.Parse(xml).Config!.Resources[0];
        Assert.Equal("my-params", back.InstanceAttributes[0].Id);
        Assert.Null(back.MetaAttributes[0].Id);
        Assert.Null(back.Operations[0].Id);
    }
}
