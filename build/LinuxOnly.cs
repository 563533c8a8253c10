using System.Runtime.Versioning;

// HaCluster runs POSIX programs in process groups, on Linux sockets and namespaces: every
// assembly is Linux-only, which lets the platform analyzer accept Unix-only APIs.
[assembly: SupportedOSPlatform("linux")]
