using System.Security.Cryptography;

namespace Ike.Fast.Benchmarks.KeySchedule;

/// <summary>
/// Synthetic Main Mode + Quick Mode inputs with the sizes of the recorded session
/// tests/data/vectors/mm-psk-aes128-sha256-modp2048__sw-sw.json (MODP-2048, AES-128, SHA2-256, no PFS):
/// encrypted bodies MM5 80 B, MM6 64 B, QM1/QM2 160 B, QM3 48 B.
/// </summary>
internal sealed class HandshakeInputs
{
    internal const int KeySize = 16;
    internal const int BlockSize = 16;
    internal const int KeymatLength = 48; // AES-128 + HMAC-SHA2-256-128 integrity key
    internal const uint MessageId = 0x5fb3cefd;

    internal byte[] Psk { get; } = "ikev1-harness-test-psk-0123456789"u8.ToArray();

    internal byte[] Ni { get; } = Random(32);

    internal byte[] Nr { get; } = Random(32);

    internal byte[] Gxi { get; } = Random(256);

    internal byte[] Gxr { get; } = Random(256);

    internal byte[] Gxy { get; } = Random(256);

    internal byte[] CkyI { get; } = Random(8);

    internal byte[] CkyR { get; } = Random(8);

    internal byte[] SaiB { get; } = Random(52);

    internal byte[] IdiiB { get; } = Random(8);

    internal byte[] IdirB { get; } = Random(8);

    internal byte[] QmNi { get; } = Random(32);

    internal byte[] QmNr { get; } = Random(32);

    internal byte[] SpiI { get; } = Random(4);

    internal byte[] SpiR { get; } = Random(4);

    internal byte[] Mm5 { get; } = Random(80);

    internal byte[] Mm6 { get; } = Random(64);

    internal byte[] Qm1 { get; } = Random(160);

    internal byte[] Qm2 { get; } = Random(160);

    internal byte[] Qm3 { get; } = Random(48);

    /// <summary>The QM1/QM2 payloads after HASH (SA, Nonce, IDci, IDcr) as their HASH(1)/HASH(2) input.</summary>
    internal int QmRestOffset => 36;

    private static byte[] Random(int length) => RandomNumberGenerator.GetBytes(length);
}
