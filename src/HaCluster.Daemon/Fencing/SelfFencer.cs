using System.Diagnostics;
using HaCluster.Core.Membership;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Fencing;

/// <summary>
/// Resets this machine when the controller says so (watchdog fencing: quorum lost with resources
/// it could not stop in time). The hardware watchdog, if any, is released first, so the machine
/// resets even if what follows fails; then cluster.yaml's <c>watchdog.self_fence</c> program runs
/// (without a shell), or else the kernel reboots at once through /proc/sysrq-trigger, as SBD does.
/// </summary>
public sealed class SelfFencer(WatchdogSettings settings, HardwareWatchdog watchdog, ILogger log)
{
    private int fired;

    public void Fence(string reason)
    {
        if (Interlocked.Exchange(ref fired, 1) == 1) return;
        log.LogCritical("self-fencing this machine: {Reason}", reason);
        watchdog.Release();
        if (settings.SelfFence is { Count: > 0 } argv)
        {
            try
            {
                var start = new ProcessStartInfo(argv[0]) { UseShellExecute = false };
                foreach (var a in argv.Skip(1)) start.ArgumentList.Add(a);
                start.Environment["HA_SELF_FENCE_REASON"] = reason;
                Process.Start(start);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                log.LogCritical("self-fence program {Program} could not run: {Error}; rebooting through sysrq", argv[0], e.Message);
                Sysrq();
            }
            return;
        }
        Sysrq();
    }

    private void Sysrq()
    {
        try
        {
            File.WriteAllText("/proc/sysrq-trigger", "b");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogCritical("self-fencing through /proc/sysrq-trigger failed: {Error}; only a hardware watchdog can reset this machine now", e.Message);
        }
    }
}
