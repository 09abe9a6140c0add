namespace Ike.Native.Xfrm;

/// <summary>IPsec protocol, as the IP protocol number (RFC 4303 ESP = 50, RFC 4302 AH = 51).</summary>
public enum XfrmProtocol : byte
{
    Esp = 50,
    Ah = 51,
}
