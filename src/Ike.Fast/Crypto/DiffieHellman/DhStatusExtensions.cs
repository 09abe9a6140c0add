namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>Mapping of <see cref="DhStatus"/> to ISAKMP Notify Message Types (RFC 2408 §3.14.1).</summary>
public static class DhStatusExtensions
{
    /// <summary>INVALID-KEY-INFORMATION (RFC 2408 §3.14.1): the peer's KE payload is unacceptable.</summary>
    public const ushort InvalidKeyInformationNotifyType = 17;

    /// <summary>
    /// The Notify Message Type to send for a failure caused by the peer, or 0 when the status is success or a
    /// local condition (configuration or programming) that is not the peer's to hear about.
    /// </summary>
    public static ushort ToNotifyMessageType(this DhStatus status) =>
        status == DhStatus.InvalidKeyInformation ? InvalidKeyInformationNotifyType : (ushort)0;
}
