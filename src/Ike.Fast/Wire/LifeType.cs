namespace Ike.Fast.Wire;

/// <summary>Values of the IKE Life Type attribute (RFC 2409 Appendix A) and the IPsec SA Life Type (RFC 2407 §4.5).</summary>
public enum LifeType : ushort
{
    Seconds = 1,
    Kilobytes = 2,
}
