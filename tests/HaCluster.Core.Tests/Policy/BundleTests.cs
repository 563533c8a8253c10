using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>
/// Bundles as Pacemaker 2.1.5 expands and schedules them (checked against its public regression
/// cases, tier G): one rule per test, on small hand-built clusters.
/// </summary>
public class BundleTests
{
    private const string ThreeNodes = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\n";

    private const string WebBundle = ThreeNodes +
        "primitive httpd Dummy op monitor interval=10s\n" +
        "bundle web podman image=localhost/httpd replicas=2 network control-port=3121 primitive httpd\n";

    private static List<string> Summary(string crm, StatusBuilder status) => SchedulerTests.Summary(crm, status);

    [Fact]
    public void Each_replica_starts_its_container_its_connection_and_its_instance_on_its_own_guest_node()
    {
        var s = Summary(WebBundle, new StatusBuilder().Online("node1", "node2", "node3"));
        Assert.Equal(new[]
        {
            "Start httpd:0 (web-0)", "Start httpd:1 (web-1)",
            "Start web-0 (node1)", "Start web-1 (node2)",
            "Start web-podman-0 (node1)", "Start web-podman-1 (node2)",
        }, s.OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void Replicas_spread_one_per_node_unless_replicas_per_host_allows_more()
    {
        var one = Summary(ThreeNodes + "bundle b docker image=img replicas=3", new StatusBuilder().Online("node1", "node2"));
        Assert.Equal(2, one.Count(l => l.StartsWith("Start b-docker-", StringComparison.Ordinal)));
        var two = Summary(ThreeNodes + "bundle b docker image=img replicas=3 replicas-per-host=2 network ip-range-start=10.0.0.10",
            new StatusBuilder().Online("node1", "node2"));
        Assert.Equal(3, two.Count(l => l.StartsWith("Start b-docker-", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_ip_range_gives_each_replica_its_own_address_placed_with_its_container()
    {
        var s = Summary(ThreeNodes + "bundle b docker image=img replicas=2 network ip-range-start=192.168.1.254",
            new StatusBuilder().Online("node1", "node2", "node3"));
        // The range counts up past .254 to the next third octet, as Pacemaker's does.
        Assert.Contains("Start b-ip-192.168.1.254 (node1)", s);
        Assert.Contains("Start b-ip-192.168.2.1 (node2)", s);
        Assert.Contains("Start b-docker-0 (node1)", s);
        Assert.Contains("Start b-docker-1 (node2)", s);
    }

    [Fact]
    public void Nothing_but_the_bundle_s_own_instance_runs_on_its_guest_nodes()
    {
        // "a" asks for nodes of kind container, which the guests are; they are closed to it.
        var s = Summary(WebBundle + "primitive a Dummy\nlocation in_containers a rule 1000: #kind eq container",
            new StatusBuilder().Online("node1", "node2", "node3"));
        Assert.Contains(s, l => l.StartsWith("Start a (node", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_container_is_recovered_in_place_its_guest_fenced_and_its_instance_recovered()
    {
        // The container's monitor failed ten seconds ago while its guest ran instance 0.
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .MonitorFailedAt("node1", "web-podman-0", 1_699_999_990, "ocf:heartbeat:podman")
            .GuestConnectionRunning("node1", "web-0", "web-podman-0").RemoteNode("web-0")
            .Running("web-0", "httpd");
        var s = Summary(WebBundle, status);
        // As in Pacemaker's on_fail_demote4: the guest is "fenced" by recovering its container.
        Assert.Contains("Fence (reboot) web-0 (resource: web-podman-0) 'guest is unclean'", s);
        Assert.Contains("Recover web-podman-0 (node1)", s);
        Assert.Contains("Recover httpd:0 (web-0)", s);
    }

    [Fact]
    public void An_order_on_a_promotable_bundle_s_promote_waits_for_its_primitive_s_promotion()
    {
        var crm = ThreeNodes + "primitive db Stateful\n" +
                  "bundle dbs podman image=img replicas=2 promoted-max=1 network control-port=3121 primitive db\n" +
                  "primitive app Dummy\norder app_after_promote Mandatory: dbs:promote app:start\n";
        // Nothing has a promotion score yet: no instance is promoted, so app cannot start.
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2", "node3"));
        Assert.Contains(s, l => l.StartsWith("Start app (", StringComparison.Ordinal) && l.Contains("(blocked)"));
        Assert.DoesNotContain(s, l => l.StartsWith("Promote", StringComparison.Ordinal));
    }

    [Fact]
    public void A_location_with_role_promoted_on_a_bundle_chooses_which_instance_is_promoted()
    {
        var crm = ThreeNodes + "primitive db Stateful\n" +
                  "bundle dbs podman image=img replicas=2 promoted-max=1 network control-port=3121 primitive db\n" +
                  "location prefer_second dbs rule $role=Promoted 100: #uname eq dbs-1\n";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2", "node3"));
        Assert.Contains("Promote db:1 (Stopped -> Promoted dbs-1)", s);
        Assert.Contains("Start db:0 (dbs-0)", s);
    }

    [Theory]
    [InlineData("", "lb-docker-1")]
    [InlineData(" network ip-range-start=10.0.0.10", "lb-ip-10.0.0.11")]
    public void A_bundle_beside_one_that_cannot_start_stops_its_instance_for_that_colocation(string lbNetwork, string named)
    {
        // lb can start nowhere (node1 is leaving, node2 and node3 are closed to it); web must be
        // with it. The instance inside web stops for the colocation, before the order through
        // its guest's connection could give it a reason; Pacemaker names lb's start made last.
        var crm = WebBundle.Replace("replicas=2", "replicas=1") +
                  $"bundle lb docker image=img replicas=2{lbNetwork}\n" +
                  "location lb_only_node1 lb rule -inf: #uname ne node1\ncolocation web_with_lb inf: web lb\n";
        var status = new StatusBuilder().Online("node1", "node2", "node3").Attribute("node1", "shutdown", "1000")
            .Running("node1", "lb-docker-0", "ocf:heartbeat:docker").Running("node1", "web-podman-0", "ocf:heartbeat:podman")
            .GuestConnectionRunning("node1", "web-0", "web-podman-0").RemoteNode("web-0").Running("web-0", "httpd");
        var s = SchedulerTests.SummaryAsPacemaker(crm, status);
        Assert.Contains($"Stop httpd:0 (web-0) due to colocation with {named}", s);
    }

    [Fact]
    public void A_bundle_s_utilization_is_used_by_its_containers_on_their_hosts_not_by_the_instances_inside()
    {
        // Pacemaker moves the primitive's utilization to each replica's container: the two
        // containers take two of each node's three cpus, nothing is left for big, and the
        // instances start on their guest nodes, which have no capacity of their own.
        var crm = "node node1 utilization cpu=3\nnode node2 utilization cpu=3\nproperty stonith-enabled=false placement-strategy=utilization\n" +
                  "primitive httpd Dummy utilization cpu=2\n" +
                  "bundle web podman image=localhost/httpd replicas=2 network control-port=3121 primitive httpd\n" +
                  "primitive big Dummy utilization cpu=2";
        var s = SchedulerTests.SummaryAsPacemaker(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains("Start httpd:0 (web-0)", s);
        Assert.Contains("Start httpd:1 (web-1)", s);
        Assert.DoesNotContain(s, l => l.StartsWith("Start big", StringComparison.Ordinal));
    }

    [Fact]
    public void A_resource_a_bundle_must_be_with_goes_where_there_is_room_for_one_replica_too()
    {
        // db is placed first (higher priority) and needs room for itself and one replica of the
        // bundle that must be with it (replicas are alike: one counts): only node2 has it.
        var crm = "node node1 utilization cpu=3\nnode node2 utilization cpu=4\nproperty stonith-enabled=false placement-strategy=utilization\n" +
                  "primitive db Dummy utilization cpu=2 meta priority=10\nprimitive httpd Dummy utilization cpu=2\n" +
                  "bundle web podman image=localhost/httpd replicas=1 network control-port=3121 primitive httpd\n" +
                  "colocation web_with_db inf: web db";
        var s = SchedulerTests.SummaryAsPacemaker(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains("Start db (node2)", s);
        Assert.Contains("Start web-podman-0 (node2)", s);
    }

    [Fact]
    public void Under_a_placement_strategy_a_bundle_s_guests_are_placed_with_it_so_its_instances_can_wait_there()
    {
        // Only one container fits; the second replica's connection is still placed (its start
        // blocked), which brings its guest node up for the instance, whose start is blocked too.
        var crm = "node node1 utilization cpu=2\nnode node2 utilization cpu=1\nproperty stonith-enabled=false placement-strategy=utilization\n" +
                  "primitive httpd Dummy utilization cpu=2\n" +
                  "bundle web podman image=localhost/httpd replicas=2 network control-port=3121 primitive httpd";
        var s = SchedulerTests.SummaryAsPacemaker(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains(s, l => l.StartsWith("Start httpd:1 (web-1) due to unrunnable", StringComparison.Ordinal) && l.EndsWith("(blocked)", StringComparison.Ordinal));
    }

    [Fact]
    public void Next_address_counts_the_last_octet_to_254_then_the_third()
    {
        Assert.Equal("10.0.0.11", Bundles.NextAddress("10.0.0.10"));
        Assert.Equal("10.0.1.1", Bundles.NextAddress("10.0.0.254"));
        Assert.Null(Bundles.NextAddress("10.0.254.254"));
        Assert.Null(Bundles.NextAddress("fe80::1"));
    }

    [Fact]
    public void A_bundle_reads_the_same_in_crm_xml_and_yaml()
    {
        var crm = "primitive httpd ocf:heartbeat:apache op monitor interval=10s\n" +
                  "bundle web podman image=localhost/httpd replicas=2 options=\"--log-driver=journald\" \\\n" +
                  "  network ip-range-start=192.168.122.131 host-netmask=24 \\\n" +
                  "  port-mapping id=web-port port=80 internal-port=8080 \\\n" +
                  "  storage storage-mapping id=web-root source-dir=/srv/html target-dir=/var/www/html options=rw \\\n" +
                  "  primitive httpd meta target-role=Started\n";
        var parsed = CrmParser.Parse(crm, "t.crm");
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        var bundle = Assert.IsType<Bundle>(Assert.Single(parsed.Config!.Resources));
        Assert.Equal("httpd", bundle.Child?.Id);
        Assert.Equal(2, bundle.Replicas);
        Assert.Equal("8080", bundle.PortMappings.Single().Get("internal-port"));

        var fromXml = CibXmlReader.Parse(CibXmlWriter.Write(parsed.Config!), "t.xml");
        Assert.Equal(bundle, Assert.Single(fromXml.Config!.Resources));
        var fromYaml = CibYamlReader.Parse(CibYamlWriter.Write(parsed.Config!), "t.yaml");
        Assert.False(fromYaml.HasErrors, string.Join("\n", fromYaml.Diagnostics));
        Assert.Equal(bundle, Assert.Single(fromYaml.Config!.Resources));
        var again = CrmParser.Parse(CrmPrinter.Print(parsed.Config!), "again.crm");
        Assert.Equal(bundle, Assert.Single(again.Config!.Resources));
    }

    [Theory]
    [InlineData("crm", "bundle x", "expected the container runtime")]
    [InlineData("crm", "bundle x foo image=a", "is not a container runtime")]
    [InlineData("crm", "bundle x docker image=a port-mapping", "port-mapping needs name=value pairs")]
    [InlineData("crm", "bundle x docker image=a primitive p primitive q", "unexpected 'primitive'")]
    [InlineData("crm", "bundle x docker image=a primitive p", "unknown resource 'p'")]
    [InlineData("crm", "bundle x docker image=a storage-mapping id=1bad source-dir=/a", "is not a valid id")]
    [InlineData("xml", "<cib><configuration><resources><bundle id=\"x\"/></resources></configuration></cib>", "needs a container element")]
    [InlineData("xml", "<cib><configuration><resources><bundle id=\"x\"><docker image=\"a\"/><network><port-mapping port=\"80\"/></network></bundle></resources></configuration></cib>", "needs attribute 'id'")]
    [InlineData("yaml", "resources:\n  - bundle: x\n    docker: 3\n", "must be a mapping")]
    [InlineData("yaml", "resources:\n  - bundle: x\n    docker: {image: a}\n    storage: [{source-dir: /a}]\n", "needs an id")]
    public void A_malformed_bundle_is_refused_with_its_place_in_the_file(string syntax, string text, string message)
    {
        var parsed = syntax switch
        {
            "crm" => CrmParser.Parse(text, "t.crm"),
            "xml" => CibXmlReader.Parse(text, "t.xml"),
            _ => CibYamlReader.Parse(text, "t.yaml"),
        };
        Assert.True(parsed.HasErrors);
        Assert.Contains(parsed.Diagnostics, d => d.Severity == Severity.Error && d.Location is not null && d.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("primitive httpd Dummy\nbundle web docker image=img primitive httpd", "cannot reach httpd inside it")]
    [InlineData("bundle web docker replicas=2", "needs an image")]
    [InlineData("bundle web docker image=img replicas=two", "replicas must be a whole number")]
    [InlineData("bundle web docker image=img network ip-range-start=300.1.1.1", "is not an IP address")]
    public void A_bundle_that_cannot_work_is_an_error(string crm, string message)
    {
        var parsed = CrmParser.Parse("property stonith-enabled=false\n" + crm, "t.crm");
        var diagnostics = parsed.HasErrors ? parsed.Diagnostics : ConfigValidator.Validate(parsed.Config!);
        Assert.Contains(diagnostics, d => d.Severity == Severity.Error && d.Message.Contains(message, StringComparison.Ordinal));
    }
}
