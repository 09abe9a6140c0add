namespace Ike.Fast.Wire;

/// <summary>
/// IKE (Phase 1) SA attribute classes, RFC 2409 Appendix A. B = basic (must be TV), V = variable (TLV, or TV when the
/// value fits two octets).
/// </summary>
public enum IkeAttributeType : ushort
{
    /// <summary>B.</summary>
    EncryptionAlgorithm = 1,

    /// <summary>B.</summary>
    HashAlgorithm = 2,

    /// <summary>B.</summary>
    AuthenticationMethod = 3,

    /// <summary>B.</summary>
    GroupDescription = 4,

    /// <summary>B.</summary>
    GroupType = 5,

    /// <summary>V.</summary>
    GroupPrime = 6,

    /// <summary>V.</summary>
    GroupGeneratorOne = 7,

    /// <summary>V.</summary>
    GroupGeneratorTwo = 8,

    /// <summary>V.</summary>
    GroupCurveA = 9,

    /// <summary>V.</summary>
    GroupCurveB = 10,

    /// <summary>B.</summary>
    LifeType = 11,

    /// <summary>V.</summary>
    LifeDuration = 12,

    /// <summary>B.</summary>
    Prf = 13,

    /// <summary>B.</summary>
    KeyLength = 14,

    /// <summary>B.</summary>
    FieldSize = 15,

    /// <summary>V.</summary>
    GroupOrder = 16,
}
