namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>Outcome of a Diffie-Hellman operation (the packet path reports results, it does not throw).</summary>
public enum DhStatus : byte
{
    /// <summary>The operation succeeded; the destination holds the value.</summary>
    Success = 0,

    /// <summary>
    /// The peer's public value is malformed or outside the group (wrong length, y &lt;= 1 or y &gt;= p - 1,
    /// not on the curve, or an all-zero X25519 result). Maps to the INVALID-KEY-INFORMATION notify (17).
    /// </summary>
    InvalidKeyInformation = 1,

    /// <summary>The group is not implemented.</summary>
    UnsupportedGroup = 2,

    /// <summary>A legacy group (1, 2) that the configuration did not enable explicitly.</summary>
    GroupNotAllowed = 3,

    /// <summary>The destination span is shorter than the value to write.</summary>
    DestinationTooSmall = 4,

    /// <summary>The private key was already used for a shared secret (or disposed): values are never reused.</summary>
    PrivateKeyConsumed = 5,

    /// <summary>The request is incomplete (no private key for ComputeShared, unknown operation).</summary>
    InvalidRequest = 6,
}
