using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// The engine's lifetime bookkeeping for one installed IPsec SA pair (<see cref="EndpointOptions.ManageLifetimes"/>):
/// when it is rekeyed, when it hard-expires, whether a successor made it redundant, and the data the collision rule
/// compares (docs/rekeying.md). Pooled by the endpoint (rented when a pair is installed, recycled after it is
/// forgotten through <see cref="Reset"/>, which must return every field to its initial value: PooledStateResetTests).
/// </summary>
internal sealed class ChildLifecycle : ISameKeyLink<ChildLifecycle>
{
    /// <summary>The SA pair (keys already handed to the host).</summary>
    public ChildSaInfo Sa = null!;

    /// <summary>The child configuration it was negotiated for (what a rekey proposes again).</summary>
    public ChildConfig Config = null!;

    /// <summary>The Phase 1 SA it lives in (changes when a reauthentication adopts it).</summary>
    public IkeSa Owner = null!;

    /// <summary>True when we initiated its Quick Mode (its "creator" in the collision rule).</summary>
    public bool WeCreated;

    /// <summary>Engine time of installation.</summary>
    public long InstalledAt;

    /// <summary>The lower of Ni_b and Nr_b of its Quick Mode (RFC 7296 §2.8.1's tie-break, applied to IKEv1).</summary>
    public NonceCopy LowestNonce; // inline (a struct): mutated through the field, never copied

    /// <summary>
    /// Inbound SPI of the pair this one replaces: the oldest live pair with the same key when its Quick Mode began
    /// (sent QM1 / received QM1); 0 when there was none. Two pairs with the same predecessor are collision twins.
    /// </summary>
    public uint Predecessor;

    /// <summary>Next rekey attempt (soft lifetime; long.MaxValue: none).</summary>
    public long RekeyAt = long.MaxValue;

    /// <summary>Hard lifetime: deleted then, telling the peer (long.MaxValue: none).</summary>
    public long ExpireAt = long.MaxValue;

    /// <summary>A successor (or a winning twin) exists: no more rekeying.</summary>
    public bool Redundant;

    /// <summary>When a redundant SA is deleted by us (long.MaxValue: the peer deletes it, or hard expiry does).</summary>
    public long DeleteAt = long.MaxValue;

    /// <summary>
    /// Rekey attempts made (a failed Quick Mode is retried until the hard lifetime; only logged). Two bytes, not
    /// four: the record's fields then fit 120 bytes and the object is 136 bytes instead of 144 (issue #7).
    /// </summary>
    public ushort RekeyAttempts;

    /// <summary>The next pair with the same <see cref="ChildSaKey"/> (the endpoint's per-key chain), or null.</summary>
    public ChildLifecycle? NextSameKey { get; set; }

    /// <summary>Back to the state of a new object (<see cref="LowestNonce"/> zeroed; a long one goes back to <paramref name="bytes"/>).</summary>
    public void Reset(ExactLengthArrayPool bytes)
    {
        Sa = null!;
        Config = null!;
        Owner = null!;
        WeCreated = false;
        InstalledAt = 0;
        LowestNonce.Clear(bytes);
        Predecessor = 0;
        RekeyAt = long.MaxValue;
        ExpireAt = long.MaxValue;
        Redundant = false;
        DeleteAt = long.MaxValue;
        RekeyAttempts = 0;
        NextSameKey = null;
    }

    /// <summary>The earliest of this SA's deadlines.</summary>
    public long Deadline => Math.Min(Math.Min(Redundant ? long.MaxValue : RekeyAt, ExpireAt), DeleteAt);
}
