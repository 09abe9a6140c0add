namespace Ike.Fast.Protocol;

/// <summary>One message of an IKEv1 exchange (RFC 2409 §5), named by its position: the rows of <see cref="ExchangeScript"/>.</summary>
public enum ExchangeStep
{
    /// <summary>Main Mode 1, I→R: HDR, SA.</summary>
    MainMode1 = 0,

    /// <summary>Main Mode 2, R→I: HDR, SA.</summary>
    MainMode2,

    /// <summary>Main Mode 3, I→R: HDR, KE, Ni.</summary>
    MainMode3,

    /// <summary>Main Mode 4, R→I: HDR, KE, Nr.</summary>
    MainMode4,

    /// <summary>Main Mode 5, I→R: HDR*, IDii, HASH_I.</summary>
    MainMode5,

    /// <summary>Main Mode 6, R→I: HDR*, IDir, HASH_R.</summary>
    MainMode6,

    /// <summary>Aggressive Mode 1, I→R: HDR, SA, KE, Ni, IDii.</summary>
    Aggressive1,

    /// <summary>Aggressive Mode 2, R→I: HDR, SA, KE, Nr, IDir, HASH_R.</summary>
    Aggressive2,

    /// <summary>Aggressive Mode 3, I→R: HDR(*), HASH_I.</summary>
    Aggressive3,

    /// <summary>Quick Mode 1, I→R: HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr].</summary>
    QuickMode1,

    /// <summary>Quick Mode 2, R→I: HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr].</summary>
    QuickMode2,

    /// <summary>Quick Mode 3, I→R: HDR*, HASH(3).</summary>
    QuickMode3,

    /// <summary>Informational: HDR*, HASH(1), N/D.</summary>
    Informational,
}
