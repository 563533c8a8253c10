namespace HaCluster.Agents.Attributes;

/// <summary>
/// A node attribute an agent set or deleted while it ran, e.g. Stateful's promotion score
/// (<c>crm_attribute --promotion -v 10</c>) or ping's connectivity (<c>attrd_updater -n pingd -v 1000</c>).
/// </summary>
/// <param name="Name">The attribute, e.g. "master-db" for a promotion score.</param>
/// <param name="Value">The new value; null deletes the attribute.</param>
/// <param name="Lifetime">"reboot" (transient, status section) or "forever" (nodes section).</param>
/// <param name="Node">The node it applies to; null means the node the agent ran on.</param>
public sealed record AttributeUpdate(string Name, string? Value, string Lifetime = "reboot", string? Node = null)
{
    public bool IsDelete => Value is null;
}
