namespace Ike.Fast.Wire;

/// <summary>IPsec DOI (Phase 2) SA attribute classes, RFC 2407 §4.5. B = basic, V = variable.</summary>
public enum IpsecAttributeType : ushort
{
    /// <summary>B.</summary>
    SaLifeType = 1,

    /// <summary>V.</summary>
    SaLifeDuration = 2,

    /// <summary>B.</summary>
    GroupDescription = 3,

    /// <summary>B.</summary>
    EncapsulationMode = 4,

    /// <summary>B.</summary>
    AuthenticationAlgorithm = 5,

    /// <summary>B.</summary>
    KeyLength = 6,

    /// <summary>B.</summary>
    KeyRounds = 7,

    /// <summary>B.</summary>
    CompressDictionarySize = 8,

    /// <summary>V.</summary>
    CompressPrivateAlgorithm = 9,
}
