using System.Buffers.Binary;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class SecurityAssociationPayloadTests
{
    private const int Sa = IsakmpHeader.Size;                       // SA generic header
    private const int Proposal = Sa + 4 + SecurityAssociationPayload.FixedSize;
    private const int FirstTransform = Proposal + ProposalPayload.FixedSize;

    [Fact]
    public void ReadsEveryLevelOfARealPhase1Sa()
    {
        byte[] mm1 = VectorFile.Load("mm-psk-aes128-sha256-modp2048__sw-sw").Messages[0].Bytes;
        RawPayload p = FirstPayload(mm1);
        Assert.True(SecurityAssociationPayload.TryRead(p.Body, p.BodyOffset, out var sa, out var fault), fault.ToString());
        Assert.Equal(DomainOfInterpretation.IpsecDoi, sa.Doi);
        Assert.Equal(IpsecSituation.IdentityOnly, sa.Situation);
        ProposalReader proposals = sa.Proposals;
        Assert.True(proposals.TryReadNext(out ProposalPayload proposal));
        Assert.Equal(1, proposal.ProposalNumber);
        Assert.Equal(ProtocolId.Isakmp, proposal.ProtocolId);
        Assert.True(proposal.Spi.IsEmpty);
        Assert.Equal(PayloadType.None, proposal.NextPayload);
        TransformReader transforms = proposal.Transforms;
        Assert.True(transforms.TryReadNext(out TransformPayload t));
        Assert.Equal(1, t.TransformNumber);
        Assert.Equal((byte)IsakmpTransformId.KeyIke, t.TransformId);
        var attrs = new Dictionary<IkeAttributeType, ulong>();
        DataAttributeReader reader = t.Attributes;
        while (reader.TryReadNext(out DataAttribute a))
        {
            Assert.True(a.TryGetInteger(out ulong v));
            attrs[(IkeAttributeType)a.Type] = v;
        }

        Assert.True(reader.IsComplete);
        Assert.Equal(7UL, attrs[IkeAttributeType.EncryptionAlgorithm]);  // AES-CBC
        Assert.Equal(128UL, attrs[IkeAttributeType.KeyLength]);
        Assert.Equal(4UL, attrs[IkeAttributeType.HashAlgorithm]);        // SHA2-256
        Assert.Equal(14UL, attrs[IkeAttributeType.GroupDescription]);    // MODP-2048
        int count = 1;
        while (transforms.TryReadNext(out _))
        {
            count++;
        }

        Assert.True(transforms.IsComplete);
        Assert.Equal(proposal.TransformCount, count);
        Assert.False(proposals.TryReadNext(out _));
        Assert.True(proposals.IsComplete);
    }

    [Fact]
    public void WrittenSaReadsBackWithEveryField()
    {
        byte[] qm = WireTestMessages.QuickMode1();
        Assert.True(IsakmpMessageReader.TryCreate(qm, out var reader, out _));
        Assert.True(reader.TryReadNext(out _)); // HASH
        Assert.True(reader.TryReadNext(out RawPayload p));
        Assert.True(SecurityAssociationPayload.TryRead(p.Body, p.BodyOffset, out var sa, out _));
        var proposals = sa.Proposals;
        Assert.True(proposals.TryReadNext(out var proposal));
        Assert.Equal(ProtocolId.IpsecEsp, proposal.ProtocolId);
        Assert.Equal("C25196DE", Convert.ToHexString(proposal.Spi));
        Assert.Equal(1, proposal.TransformCount);
        var transforms = proposal.Transforms;
        Assert.True(transforms.TryReadNext(out var t));
        Assert.Equal((byte)EspTransformId.AesCbc, t.TransformId);
        var attrs = t.Attributes;
        var types = new List<IpsecAttributeType>();
        while (attrs.TryReadNext(out var a))
        {
            types.Add((IpsecAttributeType)a.Type);
            Assert.True(a.IsBasic);
        }

        Assert.Equal([IpsecAttributeType.SaLifeType, IpsecAttributeType.SaLifeDuration, IpsecAttributeType.EncapsulationMode,
            IpsecAttributeType.AuthenticationAlgorithm, IpsecAttributeType.KeyLength, IpsecAttributeType.GroupDescription], types);
    }

    [Fact]
    public void MultipleProposalsAndTransformsChainCorrectly()
    {
        var buffer = new byte[512];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        for (byte prop = 1; prop <= 3; prop++)
        {
            w.BeginProposal(prop, ProtocolId.IpsecEsp, [1, 2, 3, prop]);
            for (byte tr = 1; tr <= prop; tr++)
            {
                w.BeginTransform(tr, (byte)EspTransformId.AesGcm16);
                w.WriteAttribute(IpsecAttributeType.KeyLength, 256);
                w.EndTransform();
            }

            w.EndProposal();
        }

        w.EndPayload();
        Assert.True(w.TryFinish(out int length));
        var chain = new PayloadChainReader(buffer.AsSpan(0, length), w.FirstPayload);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.True(SecurityAssociationPayload.TryRead(p.Body, p.BodyOffset, out var sa, out _));
        var proposals = sa.Proposals;
        int proposalsSeen = 0;
        while (proposals.TryReadNext(out var proposal))
        {
            proposalsSeen++;
            Assert.Equal(proposalsSeen, proposal.ProposalNumber);
            Assert.Equal(proposalsSeen < 3 ? PayloadType.Proposal : PayloadType.None, proposal.NextPayload);
            Assert.Equal(proposalsSeen, proposal.TransformCount);
            var transforms = proposal.Transforms;
            int transformsSeen = 0;
            while (transforms.TryReadNext(out var t))
            {
                transformsSeen++;
                Assert.Equal(transformsSeen < proposalsSeen ? PayloadType.Transform : PayloadType.None, t.NextPayload);
            }

            Assert.True(transforms.IsComplete, transforms.Fault.ToString());
            Assert.Equal(proposalsSeen, transformsSeen);
        }

        Assert.True(proposals.IsComplete);
        Assert.Equal(3, proposalsSeen);
    }

    [Fact]
    public void UnknownDoiIsDoiNotSupported()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[Sa + 4 + 3] = 2;
        AssertSaFault(mm1, WireError.DoiNotSupported, Sa + 4, NotifyMessageType.DoiNotSupported);
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0x04)]
    [InlineData(0x08)]
    public void LabelledSituationIsNotSupported(byte situation)
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[Sa + 4 + 7] = situation;
        AssertSaFault(mm1, WireError.SituationNotSupported, Sa + 8, NotifyMessageType.SituationNotSupported);
    }

    [Fact]
    public void ProposalNextPayloadOtherThanProposalOrNoneIsBadProposalSyntax()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[Proposal] = (byte)PayloadType.Transform;
        AssertSaFault(mm1, WireError.ProposalSyntax, Proposal, NotifyMessageType.BadProposalSyntax);
    }

    [Fact]
    public void ProposalAnnouncingAnotherThatIsMissingIsBadProposalSyntax()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[Proposal] = (byte)PayloadType.Proposal;
        AssertSaFault(mm1, WireError.ProposalSyntax, -1, NotifyMessageType.BadProposalSyntax);
    }

    [Fact]
    public void TransformCountMismatchIsBadProposalSyntax()
    {
        byte[] mm1 = WireTestMessages.MainMode1(transforms: 4);
        mm1[Proposal + ProposalPayload.TransformCountOffset] = 3;
        AssertSaFault(mm1, WireError.TransformSyntax, -1, NotifyMessageType.BadProposalSyntax);
        mm1[Proposal + ProposalPayload.TransformCountOffset] = 5;
        AssertSaFault(mm1, WireError.TransformSyntax, -1, NotifyMessageType.BadProposalSyntax);
    }

    [Fact]
    public void SpiLargerThanProposalIsInvalidSpi()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[Proposal + ProposalPayload.SpiSizeOffset] = 250;
        AssertSaFault(mm1, WireError.InvalidSpi, Proposal + ProposalPayload.SpiSizeOffset, NotifyMessageType.InvalidSpi);
    }

    [Fact]
    public void TransformReserved2MustBeZero()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[FirstTransform + TransformPayload.Reserved2Offset + 1] = 1;
        AssertSaFault(mm1, WireError.ReservedNotZero, FirstTransform + TransformPayload.Reserved2Offset, NotifyMessageType.PayloadMalformed);
    }

    [Fact]
    public void ProposalLengthBeyondSaIsUnequalLengths()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        BinaryPrimitives.WriteUInt16BigEndian(mm1.AsSpan(Proposal + 2), 2000);
        AssertSaFault(mm1, WireError.PayloadLengthExceedsMessage, Proposal + 2, NotifyMessageType.UnequalPayloadLengths);
    }

    [Fact]
    public void AttributeRunningPastItsTransformIsMalformed()
    {
        byte[] mm1 = WireTestMessages.MainMode1(transforms: 1);
        // The 7th attribute of the transform is LifeDuration as TLV (type, length 3, value): make it claim 60 bytes.
        int lifeDuration = FirstTransform + TransformPayload.AttributesOffset + 6 * 4;
        Assert.Equal((ushort)IkeAttributeType.LifeDuration, BinaryPrimitives.ReadUInt16BigEndian(mm1.AsSpan(lifeDuration)));
        BinaryPrimitives.WriteUInt16BigEndian(mm1.AsSpan(lifeDuration + 2), 60);
        AssertSaFault(mm1, WireError.AttributeTruncated, lifeDuration, NotifyMessageType.PayloadMalformed);
    }

    [Fact]
    public void SaWithoutProposalsIsBadProposalSyntax()
    {
        byte[] msg = WireTestMessages.WithPayload(PayloadType.SecurityAssociation, [0, 0, 0, 1, 0, 0, 0, 1]);
        AssertSaFault(msg, WireError.ProposalSyntax, Proposal, NotifyMessageType.BadProposalSyntax);
    }

    [Fact]
    public void ShortSaBodyIsMalformed()
    {
        byte[] msg = WireTestMessages.WithPayload(PayloadType.SecurityAssociation, [0, 0, 0, 1, 0, 0]);
        AssertSaFault(msg, WireError.BodyTooShort, Sa + 4 + 6, NotifyMessageType.PayloadMalformed);
    }

    private static RawPayload FirstPayload(byte[] message)
    {
        Assert.True(IsakmpMessageReader.TryCreate(message, out var reader, out _));
        Assert.True(reader.TryReadNext(out RawPayload p));
        return p;
    }

    /// <summary>The deep validator must report <paramref name="error"/> at <paramref name="offset"/> (-1: any).</summary>
    private static void AssertSaFault(byte[] message, WireError error, int offset, NotifyMessageType notify)
    {
        Assert.False(IsakmpMessageValidator.TryValidate(message, out WireFault fault));
        Assert.Equal(error, fault.Error);
        if (offset >= 0)
        {
            Assert.Equal(offset, fault.Offset);
        }

        Assert.InRange(fault.Offset, 0, message.Length);
        Assert.Equal(notify, fault.NotifyType);
    }
}
