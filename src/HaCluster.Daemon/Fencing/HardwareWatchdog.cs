using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Fencing;

/// <summary>
/// A Linux watchdog device (<c>/dev/watchdog</c>, softdog or hardware), as SBD uses it: armed with
/// a timeout at start, fed by the controller's loop while it runs, so a daemon that dies, hangs or
/// is stopped resets the machine; a clean stop disarms it (the magic close, "V"). Without a device
/// configured it does nothing, and watchdog fencing then relies on the daemon's own self-fencing.
/// </summary>
public sealed partial class HardwareWatchdog : IDisposable
{
    private const uint WatchdogSetTimeout = 0xC0045706; // WDIOC_SETTIMEOUT
    private const int OpenWriteOnly = 1;
    private readonly int fd = -1;
    private readonly ILogger log;
    private readonly Lock gate = new();
    private bool released;

    public HardwareWatchdog(string? device, TimeSpan timeout, ILogger log)
    {
        this.log = log;
        if (device is null) return;
        fd = Open(device, OpenWriteOnly);
        if (fd < 0)
        {
            log.LogError("watchdog {Device} cannot be opened (errno {Errno}): a hung or dead daemon will not reset this machine", device, Marshal.GetLastPInvokeError());
            return;
        }
        var seconds = (int)Math.Ceiling(timeout.TotalSeconds);
        if (Ioctl(fd, WatchdogSetTimeout, ref seconds) != 0)
            log.LogWarning("watchdog {Device}: its timeout could not be set to {Timeout} s (errno {Errno}); it keeps its own", device, (int)timeout.TotalSeconds, Marshal.GetLastPInvokeError());
        log.LogInformation("watchdog {Device} armed: {Timeout} s without haclusterd resets this machine", device, seconds);
        Feed();
    }

    public bool Armed => fd >= 0 && !released;

    /// <summary>The controller is alive: push the reset back by another timeout.</summary>
    public void Feed()
    {
        lock (gate)
            if (Armed) Write(fd, [0], 1);
    }

    /// <summary>Stop feeding for good: the device resets the machine when its timeout runs out.</summary>
    public void Release()
    {
        lock (gate) released = true;
    }

    /// <summary>A clean stop: the magic close disarms the device, nothing resets.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (fd < 0) return;
            if (!released) Write(fd, "V"u8.ToArray(), 1);
            Close(fd);
            released = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, uint request, ref int value);
}
