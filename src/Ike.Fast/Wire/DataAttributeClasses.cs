namespace Ike.Fast.Wire;

/// <summary>
/// Which attribute classes are basic (B: TV only) and which variable (V: TLV, or TV when the value fits two
/// octets): RFC 2409 Appendix A for IKE, RFC 2407 §4.5 for IPsec.
/// </summary>
public static class DataAttributeClasses
{
    public static bool IsBasic(IkeAttributeType type) => type switch
    {
        IkeAttributeType.GroupPrime or
        IkeAttributeType.GroupGeneratorOne or
        IkeAttributeType.GroupGeneratorTwo or
        IkeAttributeType.GroupCurveA or
        IkeAttributeType.GroupCurveB or
        IkeAttributeType.LifeDuration or
        IkeAttributeType.GroupOrder => false,
        _ => true,
    };

    public static bool IsBasic(IpsecAttributeType type) => type switch
    {
        IpsecAttributeType.SaLifeDuration or
        IpsecAttributeType.CompressPrivateAlgorithm => false,
        _ => true,
    };
}
