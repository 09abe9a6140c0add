namespace Ike.Fast.Wire;

/// <summary>ISAKMP header flags (RFC 2408 §3.1). Any other bit set is INVALID-FLAGS.</summary>
[Flags]
public enum IsakmpFlags : byte
{
    None = 0,

    /// <summary>E: the payloads after the header are encrypted.</summary>
    Encryption = 0x01,

    /// <summary>C: commit bit.</summary>
    Commit = 0x02,

    /// <summary>A: authentication-only bit.</summary>
    AuthenticationOnly = 0x04,

    /// <summary>Every defined bit; the rest are reserved and must be zero.</summary>
    All = Encryption | Commit | AuthenticationOnly,
}
