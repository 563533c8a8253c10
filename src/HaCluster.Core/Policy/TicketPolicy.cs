using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// rsc_ticket constraints (multi-site clusters): a resource may run only while its ticket is
/// granted and not in standby. Pacemaker's semantics:
/// <list type="bullet">
/// <item>a ticket missing from the status is not granted;</item>
/// <item>not granted and the resource runs: the loss-policy decides — stop (ban it everywhere),
///   demote (no promotion; with no role on the constraint, ban it), fence (ban it and fence the
///   nodes it runs on: "deadman ticket was lost"), freeze (leave it where it is, unmanaged);</item>
/// <item>not granted and not running, or granted in standby: ban it, except that a constraint on
///   the Promoted role with a non-stop policy only forbids promotion;</item>
/// <item>fence needs stonith-enabled, else it falls back to stop; with no loss-policy the default
///   is demote for a Promoted-role constraint and stop otherwise.</item>
/// </list>
/// A constraint on a group or clone applies to every primitive in it; fence and freeze apply
/// only to primitives whose current role matches the constraint's role.
/// </summary>
internal sealed class TicketPolicy(WorkingSet ws)
{
    private const int Inf = Score.InfinityValue;

    private enum LossPolicy { Stop, Demote, Fence, Freeze }

    private sealed record Binding(string Id, string Ticket, Role Role, LossPolicy Policy);

    public void Apply()
    {
        foreach (var t in ws.Config.Constraints.OfType<TicketConstraint>())
        {
            var pairs = new List<(SchedResource Resource, Binding Binding)>();
            if (t.Sets.IsEmpty)
            {
                if (t.Resource is null) continue;
                var binding = Bind(t.Id, t.Ticket, t.ResourceRole, t.LossPolicy);
                pairs.AddRange(ws.Resolve(t.Resource).Select(r => (r, binding)));
            }
            else
            {
                foreach (var set in t.Sets)
                {
                    var binding = Bind(set.Id ?? t.Id, t.Ticket, set.Role ?? t.ResourceRole, t.LossPolicy);
                    pairs.AddRange(set.Resources.SelectMany(ws.Resolve).Select(r => (r, binding)));
                }
            }
            foreach (var (resource, binding) in pairs)
            {
                var (granted, standby) = State(binding.Ticket);
                if (granted && !standby) continue;
                if (binding.Role == Role.Promoted) ws.PromotionForbidden.Add(resource);
                foreach (var p in resource.Primitives()) Constrain(p, binding, granted, standby);
            }
        }
    }

    private Binding Bind(string id, string ticket, string? role, string? lossPolicy)
    {
        var parsed = Roles.Parse(role);
        if (parsed == Role.Started) parsed = Role.Unknown;  // "Started" means any role here
        var policy = lossPolicy?.ToLowerInvariant() switch
        {
            "fence" when ws.StonithEnabled => LossPolicy.Fence,
            "fence" or "stop" => LossPolicy.Stop,
            "freeze" => LossPolicy.Freeze,
            "demote" => LossPolicy.Demote,
            _ => parsed == Role.Promoted ? LossPolicy.Demote : LossPolicy.Stop,
        };
        return new Binding(id, ticket, parsed, policy);
    }

    private (bool Granted, bool Standby) State(string ticket)
    {
        var state = ws.Status.Tickets.FirstOrDefault(s => s.Id == ticket);
        return state is null ? (false, false) : (state.Granted, state.Standby);
    }

    private void Constrain(SchedPrimitive p, Binding b, bool granted, bool standby)
    {
        var roleMatches = b.Role == Role.Unknown || b.Role == p.CurrentRole;
        if (!granted && p.ActiveOn.Count > 0)
        {
            switch (b.Policy)
            {
                case LossPolicy.Stop:
                    Ban(p, $"ticket {b.Ticket} was lost (rsc_ticket {b.Id}, loss-policy stop)");
                    break;
                case LossPolicy.Demote:
                    if (b.Role != Role.Promoted) Ban(p, $"ticket {b.Ticket} was lost (rsc_ticket {b.Id})");
                    break;
                case LossPolicy.Fence:
                    if (!roleMatches) return;
                    Ban(p, $"ticket {b.Ticket} was lost (rsc_ticket {b.Id}, loss-policy fence)");
                    foreach (var node in p.ActiveOn.Keys)
                    {
                        node.Unclean = true;
                        node.FenceReason ??= "deadman ticket was lost";
                    }
                    break;
                case LossPolicy.Freeze:
                    if (!roleMatches) return;
                    p.Managed = false;
                    p.Explanation.Add($"frozen where it is: ticket {b.Ticket} was lost (rsc_ticket {b.Id}, loss-policy freeze)");
                    break;
            }
        }
        else if (b.Role != Role.Promoted || b.Policy == LossPolicy.Stop)
        {
            Ban(p, !granted ? $"ticket {b.Ticket} is not granted (rsc_ticket {b.Id})" : $"ticket {b.Ticket} is in standby (rsc_ticket {b.Id})");
        }
    }

    private void Ban(SchedPrimitive p, string why)
    {
        foreach (var n in ws.Nodes) p.Allowed[n] = -Inf;
        p.Explanation.Add($"-INFINITY everywhere: {why}");
    }
}
