namespace HaCluster.Core.Policy;

/// <summary>
/// The order in which Pacemaker walks a node table (a resource's allowed nodes). Pacemaker keeps
/// these in a GLib hash table keyed by node id and, in a few places, takes the first of equals
/// in that table's walk: the "most capable" node a utilization strategy prefers is one. To pick
/// the same node among equals we lay the keys out as GLib 2.x does: open addressing over a
/// power-of-two array, the index <c>(hash * 11) mod prime</c>, quadratic probing, and growth in
/// place when the table is 15/16 full; the hash is Pacemaker's g_str_hash_traditional
/// (h = h * 31 + c). Checked against libglib itself on thousands of key sets (see the test).
/// </summary>
public static class GlibHashOrder
{
    private const int MinShift = 3;
    // GLib's prime moduli for each table size 2^shift.
    private static readonly uint[] PrimeMod =
    [
        1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521,
    ];

    /// <summary>The items in the order a GLib hash table keyed by <paramref name="key"/>, filled in the given order, walks them.</summary>
    public static List<T> Of<T>(IEnumerable<T> items, Func<T, string> key)
    {
        var shift = MinShift;
        var slots = new (T Item, uint Hash)?[1 << shift];
        var count = 0;
        foreach (var item in items)
        {
            var hash = Hash(key(item));
            var mod = PrimeMod[shift];
            var mask = (uint)slots.Length - 1;
            uint index = unchecked(hash * 11) % mod, step = 0;
            while (slots[index] is not null) index = (index + ++step) & mask;
            slots[index] = (item, hash);
            count++;
            if (slots.Length <= count + count / 16) slots = Grow(slots, count, ref shift);
        }
        return slots.Where(s => s is not null).Select(s => s!.Value.Item).ToList();
    }

    /// <summary>Pacemaker's string hash for its tables (the classic GLib one): h = h * 31 + c, at least 2.</summary>
    public static uint Hash(string key)
    {
        uint h = 0;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(key)) h = unchecked(h * 31 + (uint)(sbyte)b);
        return h < 2 ? 2 : h; // GLib keeps 0 and 1 for empty and deleted slots
    }

    /// <summary>GLib's in-place growth: each entry moves to its new slot, evicting what sits there.</summary>
    private static (T Item, uint Hash)?[] Grow<T>((T Item, uint Hash)?[] old, int count, ref int shift)
    {
        var wanted = (int)(count * 1.333);
        var newShift = 0;
        for (var n = wanted; n != 0; n >>= 1) newShift++;
        shift = Math.Max(newShift, MinShift);
        var size = 1 << shift;
        var slots = new (T Item, uint Hash)?[size];
        Array.Copy(old, slots, old.Length);
        var mod = PrimeMod[shift];
        var mask = (uint)size - 1;
        var placed = new bool[size];
        for (var i = 0; i < old.Length; i++)
        {
            if (slots[i] is null || placed[i]) continue;
            var moving = slots[i]!.Value;
            slots[i] = null;
            while (true)
            {
                uint index = unchecked(moving.Hash * 11) % mod, step = 0;
                while (placed[index]) index = (index + ++step) & mask;
                placed[index] = true;
                var evicted = slots[index];
                slots[index] = moving;
                if (evicted is null) break;
                moving = evicted.Value;
            }
        }
        return slots;
    }
}
