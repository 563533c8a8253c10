namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Bounds every reader puts on what it accepts, each far above what a configuration needs: an
/// input beyond one is refused with a located error, never followed into a stack overflow (a
/// rule nested 10,000 parentheses deep killed `hacrm configure verify`: issue 22).
/// </summary>
public static class InputLimits
{
    /// <summary>Rules inside rules (crm parentheses, XML &lt;rule&gt; in &lt;rule&gt;): Pacemaker's own examples nest two or three.</summary>
    public const int MaxRuleDepth = 32;

    /// <summary>Elements inside elements in an XML CIB: a CIB needs about 10, plus its rules.</summary>
    public const int MaxXmlDepth = 100;

    /// <summary>Sections inside sections in the files hacrm import reads (corosync.conf, keepalived.conf): real ones nest three.</summary>
    public const int MaxBlockDepth = 32;
}
