using System.Security.Cryptography;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// MODP Diffie-Hellman (RFC 2409 §5, §6; RFC 3526): g^x mod p with g = 2, values left-padded to the prime
/// length, and the peer check of RFC 6989 §2.1 (1 &lt; y &lt; p - 1 suffices for safe primes).
/// </summary>
internal static class ModpKeyExchange
{
    private static ReadOnlySpan<byte> GeneratorBytes => [2];

    internal static DhStatus Generate(
        DhGroup group, IDhRandomSource random, PrivateExponentLength length, Span<byte> destination, out DhPrivateKey? key)
    {
        ModpGroup modp = group.Modp!;
        key = null;
        if (destination.Length < modp.ByteLength)
        {
            return DhStatus.DestinationTooSmall;
        }

        int bits = group.PrivateExponentBits(length);
        byte[] exponent = GC.AllocateArray<byte>((bits + 7) / 8, pinned: true);
        do
        {
            // Uniform in [2, 2^bits - 1] (SP 800-56A rev. 3 §5.6.1.1.4 draws from [1, 2^N - 1]; 1 is excluded
            // as well because it would publish g itself). A redraw happens with probability 2^-(bits-1).
            random.Fill(exponent);
            if (bits % 8 != 0)
            {
                exponent[0] &= (byte)((1 << (bits % 8)) - 1);
            }
        }
        while (IsBelowTwo(exponent));

        key = FromExponent(group, exponent);
        key.PublicValue.CopyTo(destination);
        return DhStatus.Success;
    }

    /// <summary>Test hook: a key from a known exponent (big-endian); the array is copied into pinned memory.</summary>
    internal static DhPrivateKey FromKnownExponent(DhGroup group, ReadOnlySpan<byte> exponent)
    {
        byte[] pinned = GC.AllocateArray<byte>(exponent.Length, pinned: true);
        exponent.CopyTo(pinned);
        return FromExponent(group, pinned);
    }

    internal static DhStatus ComputeShared(DhPrivateKey key, ReadOnlySpan<byte> peerPublicValue, Span<byte> destination)
    {
        ModpGroup modp = key.Group.Modp!;
        if (!IsValidPublicValue(modp, peerPublicValue))
        {
            return DhStatus.InvalidKeyInformation;
        }

        if (destination.Length < modp.ByteLength)
        {
            return DhStatus.DestinationTooSmall;
        }

        byte[]? exponent = key.Exponent;
        if (exponent is null)
        {
            return DhStatus.PrivateKeyConsumed;
        }

        ModularExponentiation.ModExp(peerPublicValue, exponent, modp, destination[..modp.ByteLength]);
        key.Consume();
        return DhStatus.Success;
    }

    /// <summary>
    /// KE data must be exactly the prime length (RFC 2409 §5: zero-prepended when shorter) and
    /// 1 &lt; y &lt; p - 1 (RFC 6989 §2.1). Public data, so no constant-time requirement.
    /// </summary>
    internal static bool IsValidPublicValue(ModpGroup modp, ReadOnlySpan<byte> y)
    {
        if (y.Length != modp.ByteLength)
        {
            return false;
        }

        int firstNonZero = y.IndexOfAnyExcept((byte)0);
        bool greaterThanOne = firstNonZero >= 0 && (firstNonZero < y.Length - 1 || y[^1] > 1);
        return greaterThanOne && y.SequenceCompareTo(modp.PrimeMinusOneBytes) < 0;
    }

    private static DhPrivateKey FromExponent(DhGroup group, byte[] pinnedExponent)
    {
        ModpGroup modp = group.Modp!;
        byte[] publicValue = new byte[modp.ByteLength];
        if (pinnedExponent.Length * 8 == group.ShortExponentBits)
        {
            // Default-length exponents use the precomputed generator powers (no squarings).
            ModularExponentiation.ModExpFixedBase(group.GeneratorTable, pinnedExponent, publicValue);
        }
        else
        {
            ModularExponentiation.ModExp(GeneratorBytes, pinnedExponent, modp, publicValue);
        }

        return DhPrivateKey.ForModp(group, pinnedExponent, publicValue);
    }

    /// <summary>Whether the big-endian value is 0 or 1, reading every byte (no early exit on secret data).</summary>
    private static bool IsBelowTwo(ReadOnlySpan<byte> value)
    {
        int acc = value[^1] >> 1;
        for (int i = 0; i < value.Length - 1; i++)
        {
            acc |= value[i];
        }

        return acc == 0;
    }
}
