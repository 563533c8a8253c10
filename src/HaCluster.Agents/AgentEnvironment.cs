using System.Globalization;
using HaCluster.Agents.Attributes;

namespace HaCluster.Agents;

/// <summary>
/// The complete environment an agent runs with. Nothing is inherited from the daemon: an agent
/// sees exactly what an OCF agent under Pacemaker would, and the daemon's own variables (its
/// socket, keys' locations) never leak into it.
/// </summary>
public static class AgentEnvironment
{
    /// <summary>The Pacemaker feature set agents may compare against (crm_feature_set).</summary>
    public const string FeatureSet = "3.16.2";

    /// <summary>The system part of every PATH the daemon gives a program it runs (agents, alert agents, health checks).</summary>
    public const string SystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>PATH with HaCluster's stand-ins for Pacemaker's tools first, for programs that call them.</summary>
    public static string PathWithTools(string toolsDirectory) => $"{toolsDirectory}:{SystemPath}";

    public static Dictionary<string, string> Build(AgentAction action, AgentPaths paths, string agentClass)
    {
        // Sized for a typical OCF action (a dozen fixed variables, parameters, meta attributes) so it is not regrown.
        var env = new Dictionary<string, string>(24 + action.Parameters.Count + action.Meta.Count, StringComparer.Ordinal)
        {
            // The stand-in attribute tools come first, for agents that call them through PATH.
            ["PATH"] = PathWithTools(paths.ToolsDirectory),
            ["LC_ALL"] = "C",
            ["HA_RSCTMP"] = paths.ResourceScratchDirectory,
        };
        // ocf-directories keeps a HA_VARRUN it finds (with the trailing slash agents expect).
        if (paths.RunDirectory is { } varrun) env["HA_VARRUN"] = varrun.TrimEnd('/') + "/";
        if (action.NodeName is { } node) env[AttributeTools.NodeVariable] = node;
        if (agentClass is not "ocf") return env;

        env["OCF_ROOT"] = paths.OcfRoot;
        env["OCF_FUNCTIONS_DIR"] = paths.OcfFunctionsDirectory;
        env["OCF_RA_VERSION_MAJOR"] = "1";
        env["OCF_RA_VERSION_MINOR"] = "1";
        env["OCF_RESOURCE_INSTANCE"] = action.ResourceId;
        env["OCF_RESOURCE_TYPE"] = action.Agent.Type;
        if (action.Agent.Provider is { } provider) env["OCF_RESOURCE_PROVIDER"] = provider;
        // ocf-directories reads HA_SBIN_DIR for crm_attribute, crm_master and attrd_updater.
        env["HA_SBIN_DIR"] = paths.ToolsDirectory;

        foreach (var (name, value) in action.Parameters)
        {
            env["OCF_RESKEY_" + name] = value;
            // The depth of a monitor is an op parameter agents read without the prefix.
            if (name == "OCF_CHECK_LEVEL") env["OCF_CHECK_LEVEL"] = value;
        }
        foreach (var (name, value) in action.Meta) env[MetaVariable(name)] = value;
        env[MetaVariable("timeout")] = ((long)action.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        env[MetaVariable("interval")] = ((long)action.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        env[MetaVariable("name")] = action.Name;
        if (action.Role is { } role) env[MetaVariable("role")] = role;
        if (action.NodeName is { } onNode) env[MetaVariable("on_node")] = onNode;
        env["OCF_RESKEY_crm_feature_set"] = FeatureSet;
        return env;
    }

    /// <summary>Meta attributes arrive as OCF_RESKEY_CRM_meta_NAME, dashes turned to underscores.</summary>
    public static string MetaVariable(string name) => "OCF_RESKEY_CRM_meta_" + name.Replace('-', '_');

    /// <summary>A name an environment variable (and a shell) can carry.</summary>
    public static bool IsSafeName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
