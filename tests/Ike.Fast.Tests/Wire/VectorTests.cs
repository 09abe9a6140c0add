using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

/// <summary>Every message recorded between strongSwan and Libreswan parses and re-encodes byte for byte.</summary>
public class VectorTests
{
    public static TheoryData<string> Files => new(VectorFile.Names);

    [Fact]
    public void VectorFilesArePresent() => Assert.True(VectorFile.Names.Count() >= 20);

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryMessageParsesAndValidates(string name)
    {
        VectorFile file = VectorFile.Load(name);
        foreach (VectorMessage m in file.Messages.Concat(file.ReassembledFragments ?? []))
        {
            byte[] bytes = m.Bytes;
            Assert.True(IsakmpMessageReader.TryCreate(bytes, out var reader, out var fault), $"{name}#{m.Index}: {fault}");
            Assert.Equal(m.Encrypted, reader.IsEncrypted);
            Assert.True(IsakmpMessageValidator.TryValidate(bytes, out fault), $"{name}#{m.Index}: {fault}");
            if (!m.Encrypted)
            {
                var types = new List<string>();
                while (reader.TryReadNext(out RawPayload p))
                {
                    if (p.Type != PayloadType.Fragment)
                    {
                        types.Add(ShortName(p.Type));
                    }
                }

                Assert.True(reader.IsComplete, $"{name}#{m.Index}: {reader.Fault}");
                Assert.Equal(m.Payloads, types);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void UnencryptedMessagesReencodeByteIdentical(string name)
    {
        VectorFile file = VectorFile.Load(name);
        int count = 0;
        foreach (VectorMessage m in file.Messages.Concat(file.ReassembledFragments ?? []))
        {
            byte[] bytes = m.Bytes;
            byte[] output = new byte[bytes.Length + 64];
            Assert.True(WireReencoder.TryReencodeMessage(bytes, output, out int written, out var fault), $"{name}#{m.Index}: {fault}");
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(output, 0, written));
            count += m.Encrypted ? 0 : 1;
        }

        Assert.True(count >= 2);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void DecryptedBodiesParseWithTheirPaddingAndReencode(string name)
    {
        VectorFile file = VectorFile.Load(name);
        int count = 0;
        foreach (VectorMessage m in file.Messages.Concat(file.ReassembledFragments ?? []))
        {
            if (m.Plaintext is not byte[] plaintext)
            {
                continue;
            }

            count++;
            Assert.True(IsakmpHeader.TryReadUnchecked(m.Bytes, out IsakmpHeader header));
            Assert.True(IsakmpMessageValidator.TryValidateDecryptedBody(plaintext, header.NextPayload, out int padding, out var fault), $"{name}#{m.Index}: {fault}");
            Assert.Equal(m.PaddingLength, padding);

            var chain = PayloadChainReader.ForDecryptedBody(plaintext, header.NextPayload);
            var types = new List<string>();
            while (chain.TryReadNext(out RawPayload p))
            {
                types.Add(ShortName(p.Type));
                Assert.InRange(p.Offset, IsakmpHeader.Size, IsakmpHeader.Size + plaintext.Length);
            }

            Assert.True(chain.IsComplete);
            Assert.Equal(m.Payloads, types);
            Assert.Equal(plaintext.Length - padding, chain.ChainLength);

            byte[] output = new byte[plaintext.Length];
            Assert.True(WireReencoder.TryReencodeDecryptedBody(plaintext, header.NextPayload, output, out int written, out int padding2, out var first, out fault), $"{name}#{m.Index}: {fault}");
            Assert.Equal(padding, padding2);
            Assert.Equal(header.NextPayload, first);
            Assert.Equal(Convert.ToHexString(plaintext), Convert.ToHexString(output, 0, written));
        }

        Assert.True(count >= 4);
    }

    [Fact]
    public void FragmentsCarryIdNumberAndLastFlag()
    {
        VectorFile file = VectorFile.Load("mm-rsa-aes128-sha256-modp2048__sw-sw");
        int fragments = 0;
        foreach (VectorMessage m in file.Messages.Where(m => m.Fragment is not null))
        {
            Assert.True(IsakmpMessageReader.TryCreate(m.Bytes, out var reader, out _));
            Assert.Equal(PayloadType.Fragment, reader.Header.NextPayload);
            Assert.True(reader.TryReadNext(out RawPayload p));
            Assert.True(FragmentPayload.TryRead(p.Body, p.BodyOffset, out var frag, out _));
            var expected = m.Fragment!.Value;
            Assert.Equal(Convert.ToUInt16(expected.GetProperty("id").GetString(), 16), frag.FragmentId);
            Assert.Equal(expected.GetProperty("number").GetInt32(), frag.FragmentNumber);
            Assert.Equal(expected.GetProperty("last").GetBoolean(), frag.IsLast);
            Assert.False(reader.TryReadNext(out _));
            Assert.True(reader.IsComplete);
            fragments++;
        }

        Assert.Equal(2, fragments);
    }

    [Theory]
    [InlineData("mm-rsa-aes128-sha256-modp2048__sw-sw")]
    [InlineData("mm-rsa-aes128-sha256-modp2048__sw-ls")]
    public void FragmentDataConcatenatesToTheReassembledMessage(string name)
    {
        VectorFile file = VectorFile.Load(name);
        var data = new List<byte>();
        foreach (VectorMessage m in file.Messages.Where(m => m.Fragment is not null))
        {
            Assert.True(IsakmpMessageReader.TryCreate(m.Bytes, out var reader, out _));
            Assert.True(reader.TryReadNext(out RawPayload p));
            Assert.True(FragmentPayload.TryRead(p.Body, p.BodyOffset, out var fragment, out _));
            data.AddRange(fragment.Data.ToArray());
        }

        VectorMessage reassembled = Assert.Single(file.ReassembledFragments!);
        Assert.Equal(reassembled.Hex, Convert.ToHexString([.. data]), ignoreCase: true);
        Assert.True(IsakmpMessageReader.TryCreate([.. data], out var whole, out _));
        Assert.True(whole.IsEncrypted);
    }

    private static string ShortName(PayloadType type) => type switch
    {
        PayloadType.SecurityAssociation => "SA",
        PayloadType.KeyExchange => "KE",
        PayloadType.Identification => "ID",
        PayloadType.Certificate => "CERT",
        PayloadType.CertificateRequest => "CR",
        PayloadType.Hash => "HASH",
        PayloadType.Signature => "SIG",
        PayloadType.Nonce => "NONCE",
        PayloadType.Notification => "N",
        PayloadType.Delete => "D",
        PayloadType.VendorId => "VID",
        PayloadType.NatDiscovery or PayloadType.NatDiscoveryDraft => "NAT-D",
        PayloadType.NatOriginalAddress or PayloadType.NatOriginalAddressDraft => "NAT-OA",
        PayloadType.Attribute => "ATTR",
        _ => type.ToString(),
    };
}
