namespace Ike.Fast.Host.Daemon;

/// <summary>What <see cref="SaLifetimes"/> asks the loop to do when a deadline passes.</summary>
internal enum LifetimeAction
{
    /// <summary>Negotiate a successor for an IPsec SA we initiated (a new Quick Mode; the old SA lives until it expires).</summary>
    RekeyChild,

    /// <summary>Delete an IPsec SA whose lifetime is over (RFC 2407 section 4.5, SA Life Duration), telling the peer.</summary>
    ExpireChild,

    /// <summary>Delete an ISAKMP SA whose lifetime is over, telling the peer.</summary>
    ExpirePhase1,
}
