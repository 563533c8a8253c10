using HaCluster.Core.Status.Views;

namespace HaCluster.Cli.Status;

/// <summary>
/// `hacrm status` is what operators and monitoring scripts run most, and a new process's time is
/// all they wait for: building the full command tree (every command, option and validator of
/// hacrm) cost ~40 ms of it. The plain live forms — <c>[--socket PATH] status [--node N]
/// [--resource R] [--active-only] [--summary] [-A] [-f] [-o] [--output-as text|xml]</c> — are recognised here
/// and answered at once; anything else (help, --xml FILE, json, a typo) goes to the full parser,
/// which gives the same answer or the usual error. Both ask the daemon through
/// <see cref="StatusViewClient"/>.
/// </summary>
public static class StatusFastPath
{
    public static bool TryRun(string[] args, TextWriter output, TextWriter error, out int exit)
    {
        exit = 0;
        if (!TryParse(args, out var socket, out var view, out var filter)) return false;
        exit = StatusViewClient.Show(socket, view, filter, output, error);
        return true;
    }

    /// <summary>The request an argument list asks for, if it is one of the plain live forms.</summary>
    public static bool TryParse(string[] args, out string socket, out string view, out StatusFilter filter)
    {
        socket = ApiClient.DefaultSocket;
        view = "text";
        filter = StatusFilter.None;
        var sawStatus = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "status" && !sawStatus)
            {
                sawStatus = true;
                continue;
            }
            if (arg == "--active-only" && sawStatus) filter = filter with { ActiveOnly = true };
            else if (arg == "--summary" && sawStatus) filter = filter with { Summary = true };
            else if (arg is "--node-attributes" or "-A" && sawStatus) filter = filter with { ShowNodeAttributes = true };
            else if (arg is "--fail-counts" or "-f" && sawStatus) filter = filter with { ShowFailCounts = true };
            else if (arg is "--operations" or "-o" && sawStatus) filter = filter with { ShowOperations = true };
            else
            {
                // Options with a value: "--name value" or "--name=value".
                var eq = arg.IndexOf('=');
                var name = eq > 0 ? arg[..eq] : arg;
                string? value = eq > 0 ? arg[(eq + 1)..] : i + 1 < args.Length ? args[++i] : null;
                if (value is null || value.Length == 0 || value.StartsWith('-')) return false;
                switch (name)
                {
                    case "--socket": socket = value; break;
                    case "--node" when sawStatus: filter = filter with { Node = value }; break;
                    case "--resource" when sawStatus: filter = filter with { Resource = value }; break;
                    case "--output-as" when sawStatus && value is "text" or "xml": view = value; break;
                    default: return false;
                }
            }
        }
        return sawStatus;
    }
}
