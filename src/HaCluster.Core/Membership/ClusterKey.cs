using System.Security.Cryptography;
using System.Text;

namespace HaCluster.Core.Membership;

/// <summary>
/// The shared secret every cluster packet is authenticated with (HMAC-SHA256). Read from a key
/// file written by <c>hacrm keygen</c> (random bytes), or from Heartbeat's legacy authkeys file
/// (<c>auth 1</c> / <c>1 sha1 SECRET</c>), whose secret is then used as the HMAC key.
/// </summary>
public sealed class ClusterKey
{
    public const int GeneratedLength = 64;
    private const int MinimumLength = 16;

    private readonly byte[] key;

    private ClusterKey(byte[] key) => this.key = key;

    public ReadOnlySpan<byte> Bytes => key;

    public static ClusterKey FromBytes(byte[] bytes) =>
        bytes.Length >= MinimumLength ? new ClusterKey(bytes) : throw new ArgumentException($"a cluster key needs at least {MinimumLength} bytes");

    public static ClusterKey Generate() => new(RandomNumberGenerator.GetBytes(GeneratedLength));

    /// <summary>
    /// Loads a key file, refusing one that group or others can read (the key is the cluster's
    /// only defence against forged packets). Throws <see cref="InvalidDataException"/> saying why.
    /// </summary>
    public static ClusterKey Load(string path, bool checkMode = true)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"key file {path} does not exist (create one with: hacrm keygen {path})");
        if (checkMode)
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode groupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                               UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & groupOrOthers) != 0)
                throw new InvalidDataException($"key file {path} is accessible by group or others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); run: chmod 600 {path}");
        }
        return Parse(File.ReadAllBytes(path), path);
    }

    public static ClusterKey Parse(byte[] content, string source = "key")
    {
        if (LooksLikeAuthkeys(content)) return FromAuthkeys(Encoding.UTF8.GetString(content), source);
        if (content.Length < MinimumLength) throw new InvalidDataException($"{source}: a key needs at least {MinimumLength} bytes, this one has {content.Length}");
        return new ClusterKey(content);
    }

    /// <summary>Text (printable ASCII and line breaks only) with an "auth N" line; random key bytes never are.</summary>
    private static bool LooksLikeAuthkeys(byte[] content) =>
        content.All(b => b is (>= 0x20 and < 0x7f) or (byte)'\n' or (byte)'\r' or (byte)'\t') &&
        Encoding.ASCII.GetString(content).Split('\n').Any(l => l.TrimStart().StartsWith("auth", StringComparison.Ordinal));

    /// <summary>Heartbeat's authkeys: "auth N" selects the line "N method secret".</summary>
    private static ClusterKey FromAuthkeys(string text, string source)
    {
        string? active = null;
        var secrets = new Dictionary<string, (string Method, string Secret)>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] == "auth")
            {
                if (parts.Length < 2) throw new InvalidDataException($"{source}:{lineNo}: 'auth' needs a key number");
                active = parts[1];
                continue;
            }
            // "auth1": Heartbeat reads the key number run together with the keyword too.
            if (parts.Length == 1 && parts[0].Length > 4 && parts[0].StartsWith("auth", StringComparison.Ordinal) && parts[0][4..].All(char.IsAsciiDigit))
            {
                active = parts[0][4..];
                continue;
            }
            if (parts.Length < 2) throw new InvalidDataException($"{source}:{lineNo}: expected 'N METHOD SECRET'");
            secrets[parts[0]] = (parts[1], parts.Length > 2 ? parts[2] : "");
        }
        if (active is null) throw new InvalidDataException($"{source}: no 'auth N' line says which key to use");
        if (!secrets.TryGetValue(active, out var chosen)) throw new InvalidDataException($"{source}: 'auth {active}' names no key line");
        if (chosen.Method is not ("sha1" or "md5"))
            throw new InvalidDataException($"{source}: method '{chosen.Method}' authenticates nothing; use sha1 or md5 with a secret (or hacrm keygen)");
        if (chosen.Secret.Length < 8) throw new InvalidDataException($"{source}: the secret is too short (at least 8 characters)");
        // The legacy secret may be short: stretch it to a full-size HMAC key, bound to its method.
        return new ClusterKey(SHA256.HashData(Encoding.UTF8.GetBytes("hacluster-authkeys:" + chosen.Method + ":" + chosen.Secret)));
    }

    /// <summary>Writes a new random key with mode 0600; refuses to overwrite an existing file.</summary>
    public static void WriteNew(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(path, options);
        stream.Write(Generate().key);
        stream.Flush(flushToDisk: true);
    }
}
