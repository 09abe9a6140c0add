using System.Security.Cryptography;
using NSec.Cryptography;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Curve25519 as IKE group 31 (RFC 8031) through NSec (libsodium X25519, RFC 7748). KE data and the shared
/// secret are 32-byte little-endian u-coordinates (RFC 8031 §2). RFC 8031 §2.3 / RFC 7748 §6.1: an all-zero
/// shared secret (peer sent a low-order point) must be rejected; NSec signals it by returning no secret.
/// The private scalar is drawn from the injected randomness source and imported as a raw key.
/// </summary>
internal static class Curve25519KeyExchange
{
    internal const int Length = 32;

    internal static DhStatus Generate(DhGroup group, IDhRandomSource random, Span<byte> destination, out DhPrivateKey? key)
    {
        key = null;
        if (destination.Length < Length)
        {
            return DhStatus.DestinationTooSmall;
        }

        Span<byte> scalar = stackalloc byte[Length];
        try
        {
            random.Fill(scalar);
            key = FromKnownPrivateKey(group, scalar);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }

        key.PublicValue.CopyTo(destination);
        return DhStatus.Success;
    }

    /// <summary>A key from a raw 32-byte private scalar (clamped by X25519 itself, RFC 7748 §5).</summary>
    internal static DhPrivateKey FromKnownPrivateKey(DhGroup group, ReadOnlySpan<byte> scalar)
    {
        Key nsecKey = Key.Import(
            KeyAgreementAlgorithm.X25519,
            scalar,
            KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
        byte[] publicValue = nsecKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        return DhPrivateKey.ForCurve25519(group, nsecKey, publicValue);
    }

    internal static DhStatus ComputeShared(DhPrivateKey key, ReadOnlySpan<byte> peerPublicValue, Span<byte> destination)
    {
        if (peerPublicValue.Length != Length
            || !PublicKey.TryImport(KeyAgreementAlgorithm.X25519, peerPublicValue, KeyBlobFormat.RawPublicKey, out PublicKey? peer))
        {
            return DhStatus.InvalidKeyInformation;
        }

        if (destination.Length < Length)
        {
            return DhStatus.DestinationTooSmall;
        }

        Key? nsecKey = key.X25519;
        if (nsecKey is null)
        {
            return DhStatus.PrivateKeyConsumed;
        }

        using SharedSecret? secret = KeyAgreementAlgorithm.X25519.Agree(
            nsecKey, peer!, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        if (secret is null)
        {
            return DhStatus.InvalidKeyInformation;
        }

        byte[] raw = secret.Export(SharedSecretBlobFormat.RawSharedSecret);
        try
        {
            // Belt and braces for the all-zero check (RFC 7748 §6.1), constant-time over the 32 bytes.
            int acc = 0;
            foreach (byte b in raw)
            {
                acc |= b;
            }

            if (acc == 0 || raw.Length != Length)
            {
                return DhStatus.InvalidKeyInformation;
            }

            raw.CopyTo(destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }

        key.Consume();
        return DhStatus.Success;
    }
}
