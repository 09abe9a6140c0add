namespace Ike.Native.Xfrm;

/// <summary>
/// SA lifetimes (struct xfrm_lifetime_cfg). 0 means "no limit"; a soft limit raises a soft EXPIRE (rekey), a hard
/// limit removes the SA (RFC 4301 section 4.4.2.1).
/// </summary>
public struct XfrmLifetime
{
    public ulong SoftByteLimit { get; set; }

    public ulong HardByteLimit { get; set; }

    public ulong SoftPacketLimit { get; set; }

    public ulong HardPacketLimit { get; set; }

    /// <summary>Seconds after the SA was added.</summary>
    public ulong SoftAddExpiresSeconds { get; set; }

    public ulong HardAddExpiresSeconds { get; set; }

    /// <summary>Seconds after the SA was first used.</summary>
    public ulong SoftUseExpiresSeconds { get; set; }

    public ulong HardUseExpiresSeconds { get; set; }

    internal readonly XfrmNativeLifetime ToNative() => new()
    {
        SoftByteLimit = SoftByteLimit,
        HardByteLimit = HardByteLimit,
        SoftPacketLimit = SoftPacketLimit,
        HardPacketLimit = HardPacketLimit,
        SoftAddExpiresSeconds = SoftAddExpiresSeconds,
        HardAddExpiresSeconds = HardAddExpiresSeconds,
        SoftUseExpiresSeconds = SoftUseExpiresSeconds,
        HardUseExpiresSeconds = HardUseExpiresSeconds,
    };
}
