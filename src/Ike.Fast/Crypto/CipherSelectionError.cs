namespace Ike.Fast.Crypto;

/// <summary>Why a negotiated Phase 1 cipher cannot be used (a configuration/negotiation error, not a crash).</summary>
public enum CipherSelectionError
{
    /// <summary>The cipher is usable.</summary>
    None = 0,

    /// <summary>The algorithm is not implemented (IDEA, Blowfish, RC5, CAST, Camellia, unknown values).</summary>
    UnsupportedAlgorithm,

    /// <summary>Single DES: implemented by nobody here on purpose, its 56-bit key is brute-forceable.</summary>
    WeakAlgorithmRefused,

    /// <summary>The Key Length attribute is missing or not valid for the algorithm.</summary>
    InvalidKeyLength,
}
