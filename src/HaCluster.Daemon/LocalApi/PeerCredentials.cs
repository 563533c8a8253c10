using System.Buffers.Binary;
using System.Net.Sockets;

namespace HaCluster.Daemon.LocalApi;

/// <summary>
/// Who is on the other end of a Unix socket (SO_PEERCRED), and whether they may use the API:
/// root, or a member of group haclient (primary group or listed in /etc/group).
/// </summary>
public static class PeerCredentials
{
    public const string Group = "haclient";

    public static (int Pid, int Uid, int Gid) Of(Socket socket)
    {
        Span<byte> cred = stackalloc byte[12];
        // SOL_SOCKET = 1, SO_PEERCRED = 17 on Linux.
        socket.GetRawSocketOption(1, 17, cred);
        return (BinaryPrimitives.ReadInt32LittleEndian(cred), BinaryPrimitives.ReadInt32LittleEndian(cred[4..]), BinaryPrimitives.ReadInt32LittleEndian(cred[8..]));
    }

    /// <summary>The haclient group's id and member names, or null when the group does not exist.</summary>
    public static (int Gid, string[] Members)? HaclientGroup(string groupFile = "/etc/group")
    {
        if (!File.Exists(groupFile)) return null;
        foreach (var line in File.ReadLines(groupFile))
        {
            var f = line.Split(':');
            if (f.Length >= 4 && f[0] == Group && int.TryParse(f[2], out var gid))
                return (gid, f[3].Split(',', StringSplitOptions.RemoveEmptyEntries));
        }
        return null;
    }

    public static bool MayUseApi(int uid, int gid, string passwdFile = "/etc/passwd", string groupFile = "/etc/group")
    {
        if (uid == 0) return true;
        if (HaclientGroup(groupFile) is not { } group) return false;
        if (gid == group.Gid) return true;
        var user = UserName(uid, passwdFile);
        return user is not null && group.Members.Contains(user);
    }

    /// <summary>The user name of a uid (from the passwd file), or null.</summary>
    public static string? UserName(int uid, string passwdFile = "/etc/passwd") =>
        File.Exists(passwdFile)
            ? File.ReadLines(passwdFile).Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[2] == uid.ToString())?[0]
            : null;
}
