using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Daemon.LocalApi;

namespace HaCluster.Daemon.Http;

/// <summary>
/// The REST API's changes, carried out exactly as `hacrm` carries them out through the local
/// API: an edit is applied to this node's configuration at its version and committed with that
/// version as the base (a concurrent change makes it fail instead of being undone); a commit
/// names its base version unless forced; cleanup and attributes are the local API's requests.
/// </summary>
public sealed class HttpWrites(Func<ApiRequest, ApiCaller, ApiReply> handle)
{
    /// <summary>Applies one edit to the running configuration and commits it based on the version read.</summary>
    public ApiReply Edit(Func<ClusterConfig, ClusterConfig> edit, ApiCaller caller)
    {
        var status = handle(new ApiRequest("status"), caller);
        if (status.Status is not { } current) return new ApiReply(false, status.Error ?? "no status");
        ClusterConfig edited;
        try
        {
            edited = edit(current.RunningConfiguration());
        }
        catch (ArgumentException e)
        {
            return new ApiReply(false, e.Message);
        }
        return Commit(edited, current.CibVersion, force: false, caller);
    }

    /// <summary>A whole configuration (crm, xml or yaml text): parsed and validated first; refused with file:line:col errors.</summary>
    public ApiReply Commit(string text, ConfigurationFormat format, string? baseVersion, bool force, ApiCaller caller)
    {
        if (baseVersion is null && !force) return new ApiReply(false, "a commit names the version it is based on (\"base\", from /api/v1/status) unless forced");
        var parsed = ConfigurationFiles.ParseAndValidate(text, "request", format);
        if (parsed.Config is null || parsed.Errors.Any()) return new ApiReply(false, string.Join("\n", parsed.Errors.Select(e => e.ToString())));
        return Commit(parsed.Config, baseVersion, force, caller);
    }

    private ApiReply Commit(ClusterConfig config, string? baseVersion, bool force, ApiCaller caller) =>
        handle(ApiRequest.Commit(config, baseVersion, force), caller);

    public ApiReply Cleanup(string resource, ApiCaller caller) =>
        handle(new ApiRequest("cleanup", new Dictionary<string, string> { ["resource"] = resource }), caller);

    public ApiReply Attribute(string node, string name, string? value, ApiCaller caller)
    {
        var arguments = new Dictionary<string, string> { ["node"] = node, ["name"] = name };
        if (value is not null) arguments["value"] = value;
        return handle(new ApiRequest("attribute", arguments), caller);
    }
}
