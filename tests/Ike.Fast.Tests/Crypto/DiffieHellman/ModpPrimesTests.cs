using System.Numerics;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

public class ModpPrimesTests
{
    public static TheoryData<int, int> Formulas => new()
    {
        // bits, k of 2^n - 2^(n-64) - 1 + 2^64 * ( [2^(n-130) pi] + k ): RFC 2409 §6.1/§6.2, RFC 3526 §2..§7.
        { 768, 149686 },
        { 1024, 129093 },
        { 1536, 741804 },
        { 2048, 124476 },
        { 3072, 1690314 },
        { 4096, 240904 },
        { 6144, 929484 },
        { 8192, 4743158 },
    };

    [Theory]
    [MemberData(nameof(Formulas))]
    public void Prime_equals_its_published_formula(int bits, int k)
    {
        ModpGroup group = GroupOfBits(bits);
        BigInteger p = new(group.PrimeBytes, isUnsigned: true, isBigEndian: true);
        BigInteger expected = (BigInteger.One << bits) - (BigInteger.One << (bits - 64)) - 1
            + ((BigInteger.One << 64) * (PiTimesPowerOfTwo(bits - 130) + k));
        Assert.Equal(expected, p);
        Assert.Equal(bits, (int)p.GetBitLength());
    }

    [Theory]
    [InlineData(768)]
    [InlineData(1024)]
    [InlineData(1536)]
    [InlineData(2048)]
    public void Prime_and_half_of_prime_minus_one_are_probable_primes(int bits)
    {
        // Safe prime: p and q = (p-1)/2 both prime (RFC 3526 §1; RFC 6989 §2.1 relies on it). Bounded to the
        // smaller groups to keep the suite fast; the larger ones are pinned by the formula test above.
        ModpGroup group = GroupOfBits(bits);
        BigInteger p = new(group.PrimeBytes, isUnsigned: true, isBigEndian: true);
        BigInteger q = (p - 1) / 2;
        foreach (int a in new[] { 2, 3, 5 })
        {
            Assert.Equal(BigInteger.One, BigInteger.ModPow(a, p - 1, p));
            Assert.Equal(BigInteger.One, BigInteger.ModPow(a, q - 1, q));
        }
    }

    [Fact]
    public void Published_hex_starts_and_ends_with_64_one_bits()
    {
        foreach (ModpGroup group in AllGroups())
        {
            Assert.All(group.PrimeBytes[..8], b => Assert.Equal(0xFF, b));
            Assert.All(group.PrimeBytes[^8..], b => Assert.Equal(0xFF, b));
            Assert.Equal(1UL, group.K0); // p ≡ -1 mod 2^64
        }
    }

    [Fact]
    public void Rfc2409_group_2_hex_matches_the_rfc_text()
    {
        // RFC 2409 §6.2, copied as printed.
        const string Rfc =
            "FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 " +
            "8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B " +
            "0BFF5CB6 F406B7ED EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381 FFFFFFFF FFFFFFFF";
        Assert.Equal(Convert.FromHexString(Rfc.Replace(" ", "", StringComparison.Ordinal)), ModpGroup.Modp1024.PrimeBytes);
    }

    internal static IEnumerable<ModpGroup> AllGroups() =>
    [
        ModpGroup.Modp768, ModpGroup.Modp1024, ModpGroup.Modp1536, ModpGroup.Modp2048,
        ModpGroup.Modp3072, ModpGroup.Modp4096, ModpGroup.Modp6144, ModpGroup.Modp8192,
    ];

    internal static ModpGroup GroupOfBits(int bits) => AllGroups().Single(g => g.Bits == bits);

    /// <summary>floor(2^bits * pi) by Machin's formula pi = 16 atan(1/5) - 4 atan(1/239), with guard bits.</summary>
    private static BigInteger PiTimesPowerOfTwo(int bits)
    {
        const int Guard = 64;
        BigInteger one = BigInteger.One << (bits + Guard);
        BigInteger pi = (16 * ArctanInverse(5, one)) - (4 * ArctanInverse(239, one));
        return pi >> Guard;
    }

    private static BigInteger ArctanInverse(int x, BigInteger one)
    {
        BigInteger x2 = x * x;
        BigInteger term = one / x;
        BigInteger sum = term;
        int n = 1;
        int sign = -1;
        while (!term.IsZero)
        {
            term /= x2;
            n += 2;
            sum += sign * (term / n);
            sign = -sign;
        }

        return sum;
    }
}
