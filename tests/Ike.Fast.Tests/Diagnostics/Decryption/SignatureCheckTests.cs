using System.Text.Json;
using Ike.Fast.Diagnostics.Decryption;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Diagnostics.Decryption;

/// <summary>RSA SIG_I/SIG_R checked against the CERT of the same message (recorded RSA session).</summary>
public class SignatureCheckTests
{
    [Theory]
    [InlineData("mm-rsa-aes128-sha256-modp2048__sw-sw", "hash_i", true)]
    [InlineData("mm-rsa-aes128-sha256-modp2048__sw-ls", "hash_i", true)]
    [InlineData("mm-rsa-aes128-sha256-modp2048__sw-sw", "hash_r", false)]
    public void VerifiesTheRecordedInitiatorSignature(string id, string hashField, bool expected)
    {
        JsonElement vector = DecryptionFixture.LoadVector(id);
        JsonElement reassembled = vector.GetProperty("reassembled_fragments")[0];
        byte[] plaintext = Convert.FromHexString(reassembled.GetProperty("plaintext_hex").GetString()!);
        var first = (PayloadType)Convert.FromHexString(reassembled.GetProperty("hex").GetString()!)[IsakmpHeader.NextPayloadOffset];
        (byte[] certificate, byte[] signature) = ReadCertificateAndSignature(plaintext, first);
        byte[] hash = Convert.FromHexString(vector.GetProperty(hashField).GetString()!);

        Assert.Equal(expected, SignatureCheck.VerifyRsa(certificate, hash, signature));

        signature[^1] ^= 1;
        Assert.False(SignatureCheck.VerifyRsa(certificate, hash, signature));
    }

    [Fact]
    public void UnreadableCertificateIsNotCheckable()
    {
        Assert.Null(SignatureCheck.VerifyRsa([0x30, 0x03, 0x02, 0x01, 0x00], new byte[32], new byte[256]));
    }

    private static (byte[] Certificate, byte[] Signature) ReadCertificateAndSignature(byte[] plaintext, PayloadType first)
    {
        byte[]? certificate = null, signature = null;
        PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, first);
        while (chain.TryReadNext(out RawPayload payload))
        {
            if (payload.Type == PayloadType.Certificate && CertificatePayload.TryRead(payload.Body, payload.BodyOffset, out CertificatePayload cert, out _))
            {
                certificate ??= cert.Data.ToArray();
            }
            else if (payload.Type == PayloadType.Signature)
            {
                signature = payload.Body.ToArray();
            }
        }

        Assert.NotNull(certificate);
        Assert.NotNull(signature);
        return (certificate, signature);
    }
}
