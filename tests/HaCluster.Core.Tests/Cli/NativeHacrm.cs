using System.Diagnostics;

namespace HaCluster.Core.Tests.Cli;

/// <summary>
/// hacrm compiled ahead of time (NativeAOT), as the README installs it: scripts/test.sh publishes
/// it once and names it in HACRM_NATIVE; run alone, the tests publish it themselves (about a
/// minute). A native build has no reflection to fall back on, so what it would break (JSON
/// without source generation, trimmed code) shows only when the native binary runs.
/// </summary>
internal static class NativeHacrm
{
    private static readonly Lazy<string> Built = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Built.Value;

    /// <summary>Runs the native hacrm and returns what an operator would see.</summary>
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60))) { p.Kill(true); throw new TimeoutException($"native hacrm {string.Join(' ', args)} did not end"); }
        return (p.ExitCode, stdout, stderr.Result);
    }

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("HACRM_NATIVE") is { Length: > 0 } given)
            return File.Exists(given) ? given : throw new FileNotFoundException($"HACRM_NATIVE names {given}, which does not exist");
        var output = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hacluster-native-hacrm-{Environment.ProcessId}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        foreach (var a in new[] { "publish", "src/HaCluster.Cli", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-nologo", "-v", "q", "-o", output })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var binary = System.IO.Path.Combine(output, "hacrm");
        if (p.ExitCode != 0 || !File.Exists(binary)) throw new InvalidOperationException($"publishing native hacrm failed:\n{stdout}\n{stderr.Result}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(output, true); } catch (IOException) { } };
        return binary;
    }
}
