namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Recognises key-pair lanes: a MODP key pair is g^x with g = 2 in every group (RFC 2409 section 6, RFC 3526). Bases
/// are public (g, or a peer's KE payload data), so branching on them leaks nothing about exponents.
/// </summary>
internal static class ModpKeyPairBases
{
    /// <summary>g.</summary>
    internal const byte Generator = 2;

    /// <summary>The big-endian <paramref name="value"/> is g, left-padded with zeros or not.</summary>
    internal static bool IsGenerator(ReadOnlySpan<byte> value) =>
        !value.IsEmpty && value[^1] == Generator && value[..^1].IndexOfAnyExcept((byte)0) < 0;

    /// <summary>Every one of the first <paramref name="lanes"/> bases (each <paramref name="length"/> bytes) is g.</summary>
    internal static bool All(ReadOnlySpan<byte> bases, int length, int lanes)
    {
        for (int k = 0; k < lanes; k++)
        {
            if (!IsGenerator(bases.Slice(k * length, length)))
            {
                return false;
            }
        }

        return true;
    }
}
