using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// Checks an IKEv1 RSA signature payload (RFC 2409 section 5.1: SIG_I/SIG_R is HASH_I/HASH_R signed) against the
/// public key of an X.509 certificate from a CERT payload of the same message. IKEv1 implementations pad the bare
/// hash with PKCS #1 v1.5 block type 1 and no DigestInfo (the hash algorithm is the negotiated one, not named in
/// the signature), which .NET's RSA.VerifyHash cannot express, so the public operation is done directly: this is
/// public data, no constant time needed. A DigestInfo-wrapped hash is accepted too.
/// </summary>
internal static class SignatureCheck
{
    /// <summary>True/false when checkable; null when the certificate is unreadable or not RSA.</summary>
    public static bool? VerifyRsa(ReadOnlySpan<byte> certificateDer, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        RSAParameters key;
        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(certificateDer);
            using RSA? rsa = certificate.GetRSAPublicKey();
            if (rsa is null)
            {
                return null;
            }

            key = rsa.ExportParameters(includePrivateParameters: false);
        }
        catch (CryptographicException)
        {
            return null;
        }

        if (key.Modulus is null || key.Exponent is null || signature.Length != key.Modulus.Length)
        {
            return false;
        }

        var modulus = new BigInteger(key.Modulus, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= modulus)
        {
            return false;
        }

        BigInteger m = BigInteger.ModPow(s, new BigInteger(key.Exponent, isUnsigned: true, isBigEndian: true), modulus);
        byte[] block = new byte[key.Modulus.Length];
        if (!m.TryWriteBytes(block.AsSpan(block.Length - m.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true))
        {
            return false;
        }

        // EMSA-PKCS1-v1_5 (RFC 8017 section 9.2): 00 01 FF..FF 00 T, at least 8 bytes of FF.
        if (block[0] != 0x00 || block[1] != 0x01)
        {
            return false;
        }

        int i = 2;
        while (i < block.Length && block[i] == 0xFF)
        {
            i++;
        }

        if (i - 2 < 8 || i >= block.Length || block[i] != 0x00)
        {
            return false;
        }

        ReadOnlySpan<byte> t = block.AsSpan(i + 1);
        return t.SequenceEqual(hash) || (t.Length > hash.Length && t[0] == 0x30 && t.EndsWith(hash));
    }
}
