using System.Security.Cryptography;
using HaCluster.Core.Status;

namespace HaCluster.Simulation;

/// <summary>
/// A node's state directory: its CIB (as CibStore keeps it: written whole, then renamed, so a
/// crash during a write leaves the previous copy) and what else survives a restart. A fault can
/// crash the node during its next write (the write is then lost).
/// </summary>
public sealed class SimulatedDisk
{
    public CibVersion Version { get; private set; }
    public byte[] Xml { get; private set; } = CibDocument.Empty(default);

    /// <summary>When set, the next CIB write is torn: the node crashes between writing and renaming.</summary>
    public bool CrashOnNextWrite { get; set; }

    /// <summary>The last incarnation the node's daemon used (state_dir/incarnation).</summary>
    public long? LastIncarnation { get; set; }

    public SimulatedDisk(CibVersion version, byte[] xml)
    {
        Version = version;
        Xml = xml;
    }

    /// <summary>Stores a copy; false when the write was torn by a crash (the old copy stays).</summary>
    public bool Store(CibVersion version, byte[] xml)
    {
        if (CrashOnNextWrite)
        {
            CrashOnNextWrite = false;
            return false;
        }
        Version = version;
        Xml = xml;
        return true;
    }

    public static string Digest(byte[] xml) => Convert.ToHexStringLower(SHA256.HashData(xml))[..16];
}
