using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Xml.Linq;
using HaCluster.Core.Status;

namespace HaCluster.Daemon.Cib;

/// <summary>
/// This node's copy of the CIB on disk: <c>cib.xml</c> and its SHA-256 digest <c>cib.xml.sha256</c>
/// (as Pacemaker keeps cib.xml.sig). Writes are atomic (temporary file, fsync, rename, fsync of
/// the directory); a copy whose digest does not match, or that does not parse, is set aside as
/// corrupt and the node starts from version 0.0.0, so a peer's copy replaces it.
/// </summary>
public sealed partial class CibStore(string directory)
{
    public string XmlPath => Path.Combine(directory, "cib.xml");
    public string DigestPath => XmlPath + ".sha256";

    public CibVersion Version { get; private set; }
    public byte[] Xml { get; private set; } = EmptyCib(default);

    /// <summary>Loads the stored copy; returns a problem to log when it had to be set aside.</summary>
    public string? Load()
    {
        Directory.CreateDirectory(directory);
        if (!File.Exists(XmlPath)) return null;
        var xml = File.ReadAllBytes(XmlPath);
        var digest = File.Exists(DigestPath) ? File.ReadAllText(DigestPath).Trim() : null;
        string? problem = null;
        if (digest != Convert.ToHexStringLower(SHA256.HashData(xml))) problem = "its digest does not match (a torn or corrupted write)";
        else if (ParseVersion(xml) is not { } version) problem = "it is not a CIB with admin_epoch, epoch and num_updates";
        else
        {
            Version = version;
            Xml = xml;
            return null;
        }
        var aside = $"{XmlPath}.corrupt-{DateTime.UtcNow:yyyyMMddHHmmss}";
        File.Move(XmlPath, aside, overwrite: true);
        return $"stored CIB {XmlPath} set aside as {aside}: {problem}; a peer's copy will replace it";
    }

    /// <summary>Stores a copy atomically and makes it current.</summary>
    public void Store(CibVersion version, byte[] xml)
    {
        Directory.CreateDirectory(directory);
        WriteDurably(DigestPath, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(xml)) + "\n"));
        WriteDurably(XmlPath, xml);
        Version = version;
        Xml = xml;
    }

    private void WriteDurably(string path, byte[] content)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        // fsync(2) of the directory makes the rename itself durable.
        var fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return;
        Fsync(fd);
        Close(fd);
    }

    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)] private static partial int Open(string path, int flags);
    [LibraryImport("libc", EntryPoint = "fsync")] private static partial int Fsync(int fd);
    [LibraryImport("libc", EntryPoint = "close")] private static partial int Close(int fd);

    /// <summary>A &lt;cib&gt; element's version (admin_epoch, epoch, num_updates); null when one is missing.</summary>
    public static CibVersion? VersionOf(XElement cib) => CibDocument.VersionOf(cib);

    /// <summary>The version attributes of a CIB document, or null when it is not one.</summary>
    public static CibVersion? ParseVersion(byte[] xml) => CibDocument.ParseVersion(xml);

    public static byte[] EmptyCib(CibVersion v) => CibDocument.Empty(v);
}
