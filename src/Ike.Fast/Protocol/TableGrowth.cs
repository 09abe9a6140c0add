namespace Ike.Fast.Protocol;

/// <summary>
/// Growth by about a quarter instead of doubling for the tables that hold one entry per SA (issue #7). A full
/// <see cref="Dictionary{TKey, TValue}"/> or <see cref="HashSet{T}"/> resizes to the first prime past twice its size,
/// so between two resizes its entries cost anything from one to two slots per SA: with seven such tables the bytes
/// per SA moved by ~300 B with where the resizes fell. Asked for a quarter more before the Add that would double it,
/// the table takes the next prime of the runtime's table at least that large (they are ~1.2 apart), so the slots per
/// SA stay between 1 and 1.25. A resize moves every entry, so tables grow four times as often; that is a few
/// nanoseconds per SA added, and nothing in the steady state (a table that has reached its size does not resize).
/// </summary>
public static class TableGrowth
{
    /// <summary>Call before an Add to a table that may be full.</summary>
    public static void BeforeAdd<TKey, TValue>(Dictionary<TKey, TValue> table)
        where TKey : notnull
    {
        if (table.Count >= table.Capacity)
        {
            table.EnsureCapacity(Next(table.Count));
        }
    }

    /// <inheritdoc cref="BeforeAdd{TKey, TValue}(Dictionary{TKey, TValue})"/>
    public static void BeforeAdd<T>(HashSet<T> table)
    {
        if (table.Count >= table.Capacity)
        {
            table.EnsureCapacity(Next(table.Count));
        }
    }

    /// <summary>A quarter more (small tables: at least 4 more).</summary>
    public static int Next(int count) => count + Math.Max(count >> 2, 4);
}
