namespace Ike.Fast.Protocol;

/// <summary>
/// The engine's lifetime bookkeeping for one established ISAKMP SA (<see cref="EndpointOptions.ManageLifetimes"/>):
/// when it is reauthenticated, and whether a newer (or winning twin) ISAKMP SA with the same peer replaced it.
/// Pooled by the endpoint, as <see cref="ChildLifecycle"/>.
/// </summary>
internal sealed class Phase1Lifecycle : ISameKeyLink<Phase1Lifecycle>
{
    /// <summary>
    /// Engine time of establishment: the SA's own (set in the same call that makes this record), not a copy, so the
    /// record's fields fit 120 bytes (136-byte object instead of 144; issue #7).
    /// </summary>
    public long EstablishedAt => Sa.EstablishedAt;

    /// <summary>The lower of the Phase 1 Ni_b and Nr_b (collision tie-break).</summary>
    public NonceCopy LowestNonce; // inline (a struct): mutated through the field, never copied

    /// <summary>Next reauthentication attempt (long.MaxValue: none).</summary>
    public long ReauthAt = long.MaxValue;

    /// <summary>The oldest established ISAKMP SA with the same key when this one was established (null: none).</summary>
    public IkeSa? Predecessor;

    /// <summary>A newer ISAKMP SA adopted its IPsec SAs.</summary>
    public bool Redundant;

    /// <summary>When we delete it (long.MaxValue: not us).</summary>
    public long DeleteAt = long.MaxValue;

    /// <summary>The key it is indexed under.</summary>
    public Phase1Key Key;

    /// <summary>The ISAKMP SA it describes.</summary>
    public IkeSa Sa = null!;

    /// <summary>The next ISAKMP SA's record with the same <see cref="Phase1Key"/> (the endpoint's per-key chain), or null.</summary>
    public Phase1Lifecycle? NextSameKey { get; set; }

    /// <summary>Back to the state of a new object (<see cref="LowestNonce"/> zeroed; a long one goes back to <paramref name="bytes"/>).</summary>
    public void Reset(ExactLengthArrayPool bytes)
    {
        LowestNonce.Clear(bytes);
        ReauthAt = long.MaxValue;
        Predecessor = null;
        Redundant = false;
        DeleteAt = long.MaxValue;
        Key = default;
        Sa = null!;
        NextSameKey = null;
    }

    /// <summary>The earliest of its deadlines.</summary>
    public long Deadline => Math.Min(Redundant ? long.MaxValue : ReauthAt, DeleteAt);
}
