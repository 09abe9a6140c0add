namespace Ike.Fast.Protocol;

/// <summary>The two edits of a per-key chain of lifecycle records (<see cref="ISameKeyLink{T}"/>).</summary>
internal static class SameKeyChain
{
    /// <summary>Appends <paramref name="item"/> after the last record of <paramref name="head"/>'s chain: oldest first, the
    /// order that breaks ties in the collision rule (docs/rekeying.md).</summary>
    public static void Append<T>(T head, T item)
        where T : class, ISameKeyLink<T>
    {
        T last = head;
        while (last.NextSameKey is { } next)
        {
            last = next;
        }

        last.NextSameKey = item;
    }

    /// <summary>
    /// Takes <paramref name="item"/> out of <paramref name="head"/>'s chain and clears its link. Returns the chain's head
    /// afterwards: <paramref name="head"/>, or the next record when <paramref name="item"/> was the head (null when the
    /// chain is now empty), so the caller can re-key its set.
    /// </summary>
    public static T? Unlink<T>(T head, T item)
        where T : class, ISameKeyLink<T>
    {
        T? result = head;
        if (ReferenceEquals(head, item))
        {
            result = item.NextSameKey;
        }
        else
        {
            T before = head;
            while (before.NextSameKey is { } next && !ReferenceEquals(next, item))
            {
                before = next;
            }

            if (ReferenceEquals(before.NextSameKey, item))
            {
                before.NextSameKey = item.NextSameKey;
            }
        }

        item.NextSameKey = null;
        return result;
    }
}
