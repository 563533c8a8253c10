using System.CommandLine;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Cli.Operate;

/// <summary>
/// Reads the running configuration from haclusterd, applies one edit and commits the result as
/// one new CIB version based on the version read (so a concurrent change makes it fail rather
/// than silently undo the other). Shared by configure load, resource, node and property.
/// </summary>
public static class LiveEdit
{
    public const int ExitOk = 0;
    public const int ExitRefused = 1;

    /// <param name="wait">With --wait: how long to wait, after the commit, for the cluster to carry it out (<see cref="Settle"/>).</param>
    public static int Commit(string socket, Func<ClusterConfig, ClusterConfig> edit, bool force, TextWriter output, TextWriter error, string command, TimeSpan? wait = null)
    {
        var status = ApiClient.Call(socket, new ApiRequest("status"), out var problem);
        if (status?.Status is not { } current)
        {
            error.WriteLine($"hacrm {command}: {problem ?? status?.Error}");
            return StatusCommand.ExitUnreachable;
        }
        // The node's own copy of the CIB: a configuration and its version, read together.
        ClusterConfig edited;
        try
        {
            edited = edit(current.RunningConfiguration());
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"hacrm {command}: {e.Message}");
            return ExitRefused;
        }
        var reply = ApiClient.Call(socket, ApiRequest.Commit(edited, current.CibVersion, force), out problem, TimeSpan.FromSeconds(40));
        if (reply is null || !reply.Ok)
        {
            error.WriteLine($"hacrm {command}: not committed: {problem ?? reply?.Error}");
            return ExitRefused;
        }
        output.WriteLine($"committed: CIB version {reply.Version}");
        return wait is { } timeout ? Settle.Wait(socket, reply.Version, timeout, output, error, command) : ExitOk;
    }

    /// <summary>`--wait[=TIMEOUT]`, on every command that changes the cluster.</summary>
    public static Option<string?> WaitOption() => new("--wait")
    {
        Description = "after committing, wait until the cluster has carried the change out, saying what is still pending (default timeout 120s)",
        Arity = System.CommandLine.ArgumentArity.ZeroOrOne,
    };

    /// <summary>The --wait asked for: null without it, the timeout with it; a bad duration is a usage error (exit 2).</summary>
    public static bool TryWait(System.CommandLine.ParseResult parse, Option<string?> option, TextWriter error, string command, out TimeSpan? wait)
    {
        wait = null;
        if (parse.GetResult(option) is null) return true;
        var text = parse.GetValue(option);
        if (text is null) { wait = Settle.DefaultTimeout; return true; }
        if (Duration.ParseMillisecondsOrNull(text) is { } ms and > 0) { wait = TimeSpan.FromMilliseconds(ms); return true; }
        error.WriteLine($"hacrm {command}: --wait={text} is not a duration (like 60s, 5min)");
        return false;
    }
}
