using System.Buffers.Binary;
using CsCheck;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

/// <summary>
/// Property tests (CsCheck, bounded iterations): random valid messages round-trip write→read→write byte for byte;
/// random mutations and truncations of real messages never throw, and either fail with a located
/// <see cref="WireFault"/> or are (still) valid and re-encode identically.
/// </summary>
public class WirePropertyTests
{
    private const int Iterations = 2_000;

    // ---- model of a message, written with the writer ----

    private abstract record PayloadModel
    {
        public abstract bool Write(ref IsakmpWriter w);
    }

    private sealed record OpaqueModel(PayloadType Type, byte[] Data) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w) => w.WritePayload(Type, Data);
    }

    private sealed record AttributeModel(ushort Type, bool Basic, ushort Value, byte[] Bytes)
    {
        public bool Write(ref IsakmpWriter w) => Basic ? w.WriteBasicAttribute(Type, Value) : w.WriteVariableAttribute(Type, Bytes);
    }

    private sealed record TransformModel(byte Number, byte Id, AttributeModel[] Attributes);

    private sealed record ProposalModel(byte Number, ProtocolId Protocol, byte[] Spi, TransformModel[] Transforms);

    private sealed record SaModel(DomainOfInterpretation Doi, ProposalModel[] Proposals) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w)
        {
            w.BeginSecurityAssociation(Doi, IpsecSituation.IdentityOnly);
            foreach (ProposalModel p in Proposals)
            {
                w.BeginProposal(p.Number, p.Protocol, p.Spi);
                foreach (TransformModel t in p.Transforms)
                {
                    w.BeginTransform(t.Number, t.Id);
                    foreach (AttributeModel a in t.Attributes)
                    {
                        a.Write(ref w);
                    }

                    w.EndTransform();
                }

                w.EndProposal();
            }

            return w.EndPayload();
        }
    }

    private sealed record IdModel(IdentificationType Type, byte Protocol, ushort Port, byte[] Data) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w) => w.WriteIdentification(Type, Protocol, Port, Data);
    }

    private sealed record CertModel(bool Request, CertificateEncoding Encoding, byte[] Data) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w) =>
            Request ? w.WriteCertificateRequest(Encoding, Data) : w.WriteCertificate(Encoding, Data);
    }

    private sealed record NotifyModel(uint Doi, ProtocolId Protocol, ushort Type, byte[] Spi, byte[] Data) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w) => w.WriteNotification(Doi, Protocol, (NotifyMessageType)Type, Spi, Data);
    }

    private sealed record DeleteModel(ProtocolId Protocol, byte SpiSize, ushort Count) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w) => w.WriteDelete(1, Protocol, SpiSize, Count, new byte[SpiSize * Count]);
    }

    private sealed record NatOaModel(PayloadType Type, bool V6) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w) =>
            w.WriteNatOriginalAddress(V6 ? IdentificationType.Ipv6Address : IdentificationType.Ipv4Address, new byte[V6 ? 16 : 4], Type);
    }

    private sealed record ConfigModel(ConfigurationType Type, ushort Identifier, AttributeModel[] Attributes) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w)
        {
            w.BeginAttributePayload(Type, Identifier);
            foreach (AttributeModel a in Attributes)
            {
                a.Write(ref w);
            }

            return w.EndPayload();
        }
    }

    private sealed record FragmentModel(ushort Id, byte Number, FragmentFlags Flags, byte[] Data) : PayloadModel
    {
        public override bool Write(ref IsakmpWriter w) => w.WriteFragment(Id, Number, Flags, Data);
    }

    private sealed record MessageModel(ulong CookieI, ulong CookieR, ExchangeType Exchange, IsakmpFlags Flags, uint MessageId, PayloadModel[] Payloads)
    {
        public byte[] Write()
        {
            var buffer = new byte[16_384];
            var w = new IsakmpWriter(buffer);
            w.WriteHeader(new IsakmpHeader(CookieI, CookieR, PayloadType.None, Exchange, Flags, MessageId));
            foreach (PayloadModel p in Payloads)
            {
                p.Write(ref w);
            }

            Assert.True(w.TryFinish(out int length), w.Error.ToString());
            return buffer[..length];
        }

        public override string ToString() => $"{Exchange} {string.Join(",", Payloads.Select(p => p.GetType().Name))}";
    }

    private static readonly Gen<byte[]> Bytes = Gen.Byte.Array[1, 40];

    private static readonly Gen<AttributeModel> Attribute =
        Gen.Select(Gen.UShort[0, 0x7FFF], Gen.Bool, Gen.UShort, Gen.Byte.Array[0, 12], (t, b, v, bytes) => new AttributeModel(t, b, v, bytes));

    private static readonly Gen<TransformModel> Transform =
        Gen.Select(Gen.Byte, Gen.Byte, Attribute.Array[0, 8], (n, id, a) => new TransformModel(n, id, a));

    private static readonly Gen<ProposalModel> Proposal =
        Gen.Select(Gen.Byte, Gen.Enum<ProtocolId>(), Gen.Byte.Array[0, 16], Transform.Array[1, 4], (n, p, spi, t) => new ProposalModel(n, p, spi, t));

    private static readonly Gen<PayloadModel> Payload = Gen.OneOf<PayloadModel>(
        Gen.Select(Gen.OneOf(PayloadType.KeyExchange, PayloadType.Nonce, PayloadType.Hash, PayloadType.Signature,
            PayloadType.VendorId, PayloadType.NatDiscovery, PayloadType.NatDiscoveryDraft), Bytes, (t, d) => (PayloadModel)new OpaqueModel(t, d)),
        Gen.Select(Gen.OneOf(DomainOfInterpretation.Isakmp, DomainOfInterpretation.IpsecDoi), Proposal.Array[1, 3], (d, p) => (PayloadModel)new SaModel(d, p)),
        Gen.Select(Gen.Int[1, 11], Gen.Byte, Gen.UShort, Bytes, (t, pr, port, data) =>
        {
            var type = (IdentificationType)t;
            int required = IdentificationPayload.RequiredDataLength(type);
            return (PayloadModel)new IdModel(type, pr, port, required < 0 ? data : new byte[required]);
        }),
        Gen.Select(Gen.Bool, Gen.Enum<CertificateEncoding>(), Bytes, (r, e, d) => (PayloadModel)new CertModel(r, e, d)),
        Gen.Select(Gen.UInt[0, 1], Gen.Enum<ProtocolId>(), Gen.UShort, Gen.Byte.Array[0, 16], Gen.Byte.Array[0, 8],
            (d, p, t, spi, data) => (PayloadModel)new NotifyModel(d, p, t, spi, data)),
        Gen.Select(Gen.Enum<ProtocolId>(), Gen.Byte[0, 16], Gen.UShort[0, 4], (p, s, c) => (PayloadModel)new DeleteModel(p, s, c)),
        Gen.Select(Gen.OneOf(PayloadType.NatOriginalAddress, PayloadType.NatOriginalAddressDraft), Gen.Bool, (t, v6) => (PayloadModel)new NatOaModel(t, v6)),
        Gen.Select(Gen.Enum<ConfigurationType>(), Gen.UShort, Attribute.Array[0, 6], (t, id, a) => (PayloadModel)new ConfigModel(t, id, a)),
        Gen.Select(Gen.UShort, Gen.Byte[1, 255], Gen.Enum<FragmentFlags>(), Gen.Byte.Array[0, 40], (id, n, f, d) => (PayloadModel)new FragmentModel(id, n, f, d)));

    private static readonly Gen<MessageModel> Message = Gen.Select(
        Gen.ULong[1, ulong.MaxValue], Gen.ULong, Gen.OneOf(ExchangeType.IdentityProtection, ExchangeType.Aggressive, ExchangeType.Informational,
            ExchangeType.Transaction, ExchangeType.QuickMode, ExchangeType.Base),
        Gen.OneOf(IsakmpFlags.None, IsakmpFlags.Commit, IsakmpFlags.AuthenticationOnly), Gen.UInt, Payload.Array[0, 8],
        (ci, cr, x, f, mid, p) => new MessageModel(ci, cr, x, f, mid, p));

    [Fact]
    public void RandomValidMessagesRoundTripByteIdentical()
    {
        Message.Sample(model =>
        {
            byte[] written = model.Write();
            Assert.True(IsakmpMessageValidator.TryValidate(written, out WireFault fault), fault.ToString());
            var output = new byte[written.Length];
            Assert.True(WireReencoder.TryReencodeMessage(written, output, out int length, out fault), fault.ToString());
            Assert.Equal(written.Length, length);
            Assert.True(output.AsSpan().SequenceEqual(written));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void RandomValidChainsRoundTripAsDecryptedBodiesWithPadding()
    {
        Gen.Select(Payload.Array[1, 6], Gen.Byte.Array[0, 16]).Sample((payloads, padding) =>
        {
            var buffer = new byte[16_384];
            var w = IsakmpWriter.ForPayloadChain(buffer);
            foreach (PayloadModel p in payloads)
            {
                p.Write(ref w);
            }

            w.WriteBytes(padding);
            Assert.True(w.TryFinish(out int length));
            byte[] plaintext = buffer[..length];
            Assert.True(IsakmpMessageValidator.TryValidateDecryptedBody(plaintext, w.FirstPayload, out int paddingLength, out WireFault fault), fault.ToString());
            Assert.Equal(padding.Length, paddingLength);
            var output = new byte[length];
            Assert.True(WireReencoder.TryReencodeDecryptedBody(plaintext, w.FirstPayload, output, out int written, out _, out _, out fault), fault.ToString());
            Assert.True(output.AsSpan(0, written).SequenceEqual(plaintext));
        }, iter: Iterations / 2, threads: 1);
    }

    private static readonly (byte[] Bytes, PayloadType First, bool Plain)[] RealInputs = LoadRealInputs();

    private static (byte[], PayloadType, bool)[] LoadRealInputs()
    {
        var list = new List<(byte[], PayloadType, bool)>();
        foreach (VectorMessage m in VectorFile.AllMessages())
        {
            byte[] bytes = m.Bytes;
            list.Add((bytes, PayloadType.None, false));
            if (m.Plaintext is byte[] plain)
            {
                list.Add((plain, (PayloadType)bytes[IsakmpHeader.NextPayloadOffset], true));
            }
        }

        return [.. list];
    }

    private static readonly Gen<(int Index, (int Position, byte Value)[] Flips, int Truncate, bool FixLength)> Mutation =
        Gen.Select(Gen.Int[0, RealInputs.Length - 1], Gen.Select(Gen.Int[0, 4096], Gen.Byte).Array[0, 4], Gen.Int[-1, 4096], Gen.Bool);

    [Fact]
    public void MutatedAndTruncatedRealMessagesNeverThrowAndFailWithALocatedFault()
    {
        int failures = 0, passes = 0;
        Mutation.Sample(m =>
        {
            (byte[] original, PayloadType first, bool plain) = RealInputs[m.Index];
            byte[] bytes = (byte[])original.Clone();
            foreach ((int position, byte value) in m.Flips)
            {
                bytes[position % bytes.Length] = value;
            }

            if (m.Truncate >= 0 && m.Truncate < bytes.Length)
            {
                bytes = bytes[..m.Truncate];
                if (m.FixLength && !plain && bytes.Length >= IsakmpHeader.Size)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(IsakmpHeader.LengthOffset), (uint)bytes.Length);
                }
            }

            var output = new byte[bytes.Length + 16];
            bool valid;
            WireFault fault;
            int written;
            if (plain)
            {
                valid = IsakmpMessageValidator.TryValidateDecryptedBody(bytes, first, out _, out fault);
                bool reencoded = WireReencoder.TryReencodeDecryptedBody(bytes, first, output, out written, out _, out _, out WireFault fault2);
                Assert.Equal(valid, reencoded);
                Assert.Equal(fault, fault2);
            }
            else
            {
                valid = IsakmpMessageValidator.TryValidate(bytes, out fault);
                bool reencoded = WireReencoder.TryReencodeMessage(bytes, output, out written, out WireFault fault2);
                Assert.Equal(valid, reencoded);
                Assert.Equal(fault, fault2);
            }

            if (valid)
            {
                Interlocked.Increment(ref passes);
                Assert.False(fault.IsError);
                Assert.True(output.AsSpan(0, written).SequenceEqual(bytes));
            }
            else
            {
                Interlocked.Increment(ref failures);
                Assert.NotEqual(WireError.None, fault.Error);
                Assert.InRange(fault.Offset, 0, bytes.Length + (plain ? IsakmpHeader.Size : 0));
            }
        }, iter: Iterations * 2, threads: 1);

        Assert.True(failures > 0 && passes > 0, $"failures {failures} passes {passes}");
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Enum<PayloadType>()).Sample((bytes, first) =>
        {
            if (bytes.Length >= IsakmpHeader.Size)
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(IsakmpHeader.LengthOffset), (uint)bytes.Length);
                bytes[IsakmpHeader.VersionOffset] = 0x10;
                bytes[0] |= 1;
            }

            if (!IsakmpMessageValidator.TryValidate(bytes, out WireFault fault))
            {
                Assert.InRange(fault.Offset, 0, bytes.Length);
            }

            if (!IsakmpMessageValidator.TryValidateDecryptedBody(bytes, first, out _, out fault))
            {
                Assert.InRange(fault.Offset, IsakmpHeader.NextPayloadOffset, IsakmpHeader.Size + bytes.Length); // the first type is named by the header
            }
        }, iter: Iterations, threads: 1);
    }
}
