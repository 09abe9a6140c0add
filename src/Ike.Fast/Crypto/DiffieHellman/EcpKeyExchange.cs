using System.Security.Cryptography;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// ECP groups 19, 20, 21 (RFC 5903) on .NET's ECDiffieHellman (OpenSSL on Linux). RFC 5903 §7: the KE
/// payload carries x‖y, each coordinate left-padded to the field length; the shared secret is the x
/// coordinate of the product point. The peer point is validated on import (on the curve, coordinates in
/// range; the identity has no x‖y encoding); any failure there is the peer's and is mapped, not thrown.
/// </summary>
internal static class EcpKeyExchange
{
    internal static DhStatus Generate(DhGroup group, Span<byte> destination, out DhPrivateKey? key)
    {
        key = null;
        if (destination.Length < group.PublicValueLength)
        {
            return DhStatus.DestinationTooSmall;
        }

        ECDiffieHellman ecdh = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(group.CurveName!));
        key = FromEcdh(group, ecdh);
        key.PublicValue.CopyTo(destination);
        return DhStatus.Success;
    }

    /// <summary>Test hook: a key from a known private scalar d (big-endian, field length).</summary>
    internal static DhPrivateKey FromKnownPrivateKey(DhGroup group, ReadOnlySpan<byte> d)
    {
        ECDiffieHellman ecdh = ECDiffieHellman.Create();
        ecdh.ImportParameters(new ECParameters { Curve = ECCurve.CreateFromFriendlyName(group.CurveName!), D = d.ToArray() });
        return FromEcdh(group, ecdh);
    }

    internal static DhStatus ComputeShared(DhPrivateKey key, ReadOnlySpan<byte> peerPublicValue, Span<byte> destination)
    {
        DhGroup group = key.Group;
        int c = group.SharedSecretLength;
        if (peerPublicValue.Length != 2 * c)
        {
            return DhStatus.InvalidKeyInformation;
        }

        if (destination.Length < c)
        {
            return DhStatus.DestinationTooSmall;
        }

        ECDiffieHellman? ecdh = key.Ecdh;
        if (ecdh is null)
        {
            return DhStatus.PrivateKeyConsumed;
        }

        byte[] z;
        try
        {
            var parameters = new ECParameters
            {
                Curve = ECCurve.CreateFromFriendlyName(group.CurveName!),
                Q = new ECPoint { X = peerPublicValue[..c].ToArray(), Y = peerPublicValue[c..].ToArray() },
            };
            using ECDiffieHellman peer = ECDiffieHellman.Create(parameters);
            using ECDiffieHellmanPublicKey peerKey = peer.PublicKey;
            z = ecdh.DeriveRawSecretAgreement(peerKey);
        }
        catch (CryptographicException)
        {
            // Not on the curve, coordinate out of range, or the point at infinity: the peer's fault.
            return DhStatus.InvalidKeyInformation;
        }

        try
        {
            if (z.Length > c)
            {
                return DhStatus.InvalidKeyInformation;
            }

            destination[..(c - z.Length)].Clear();
            z.CopyTo(destination[(c - z.Length)..c]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(z);
        }

        key.Consume();
        return DhStatus.Success;
    }

    private static DhPrivateKey FromEcdh(DhGroup group, ECDiffieHellman ecdh)
    {
        int c = group.SharedSecretLength;
        ECParameters parameters = ecdh.ExportParameters(includePrivateParameters: false);
        byte[] publicValue = new byte[2 * c];
        WriteLeftPadded(parameters.Q.X!, publicValue.AsSpan(0, c));
        WriteLeftPadded(parameters.Q.Y!, publicValue.AsSpan(c, c));
        return DhPrivateKey.ForEcp(group, ecdh, publicValue);
    }

    private static void WriteLeftPadded(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        ReadOnlySpan<byte> trimmed = value.Length > destination.Length ? value[(value.Length - destination.Length)..] : value;
        destination[..(destination.Length - trimmed.Length)].Clear();
        trimmed.CopyTo(destination[(destination.Length - trimmed.Length)..]);
    }
}
