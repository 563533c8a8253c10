namespace HaCluster.Core.Alerts;

/// <summary>
/// One run of an alert agent for one recipient: the program (run with no arguments and no
/// shell), its timeout, and the environment variables it gets on top of the daemon's own
/// (CRM_alert_* and the alert's and recipient's instance attributes).
/// </summary>
public sealed record AlertInvocation(string AlertId, string Path, string Recipient, TimeSpan Timeout, IReadOnlyDictionary<string, string> Environment);
