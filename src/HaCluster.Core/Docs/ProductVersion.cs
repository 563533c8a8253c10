using System.Reflection;

namespace HaCluster.Core.Docs;

/// <summary>The product's version as the package gives it (InformationalVersion, without the commit): what --version and the man pages say.</summary>
public static class ProductVersion
{
    public static string Of(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString(3) ?? "0";
}
