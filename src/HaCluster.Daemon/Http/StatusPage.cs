namespace HaCluster.Daemon.Http;

/// <summary>
/// The status page (status.html, embedded): plain HTML and a little JavaScript that reads
/// /api/v1/status and /api/v1/history every 2 s; no external assets, so it works from any node
/// without internet access.
/// </summary>
public static class StatusPage
{
    public static readonly string Html = Read();

    private static string Read()
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("HaCluster.Daemon.Http.status.html")
            ?? throw new InvalidOperationException("status.html is not embedded");
        return new StreamReader(stream).ReadToEnd();
    }
}
