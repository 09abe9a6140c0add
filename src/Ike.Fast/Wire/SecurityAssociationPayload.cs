using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Security Association payload body (RFC 2408 §3.4, IPsec DOI situation RFC 2407 §4.6.1):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !              Domain of Interpretation  (DOI)                  !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !                           Situation                           ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                    Proposal payloads ...                      ~
/// </code>
/// Only the 4-byte situation is supported: SIT_SECRECY/SIT_INTEGRITY carry labelled-domain fields nobody deploys,
/// and RFC 2408 §5.4 answers them with SITUATION-NOT-SUPPORTED.
/// </summary>
public readonly ref struct SecurityAssociationPayload
{
    public const int DoiOffset = 0;
    public const int SituationOffset = 4;
    public const int ProposalsOffset = 8;
    public const int FixedSize = 8;

    private SecurityAssociationPayload(DomainOfInterpretation doi, IpsecSituation situation, ReadOnlySpan<byte> proposals, int proposalsOffset)
    {
        Doi = doi;
        Situation = situation;
        ProposalBytes = proposals;
        ProposalBytesOffset = proposalsOffset;
    }

    public DomainOfInterpretation Doi { get; }
    public IpsecSituation Situation { get; }

    /// <summary>The proposal payloads, raw.</summary>
    public ReadOnlySpan<byte> ProposalBytes { get; }

    /// <summary>Offset of <see cref="ProposalBytes"/> in the outermost span.</summary>
    public int ProposalBytesOffset { get; }

    /// <summary>Reader over the proposals.</summary>
    public ProposalReader Proposals => new(ProposalBytes, ProposalBytesOffset);

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out SecurityAssociationPayload payload, out WireFault fault)
    {
        payload = default;
        if (body.Length < FixedSize)
        {
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        uint doi = BinaryPrimitives.ReadUInt32BigEndian(body);
        if (doi > (uint)DomainOfInterpretation.IpsecDoi)
        {
            fault = new WireFault(WireError.DoiNotSupported, bodyOffset + DoiOffset);
            return false;
        }

        uint situation = BinaryPrimitives.ReadUInt32BigEndian(body[SituationOffset..]);
        if ((situation & ~(uint)IpsecSituation.IdentityOnly) != 0)
        {
            fault = new WireFault(WireError.SituationNotSupported, bodyOffset + SituationOffset);
            return false;
        }

        payload = new SecurityAssociationPayload((DomainOfInterpretation)doi, (IpsecSituation)situation, body[ProposalsOffset..], bodyOffset + ProposalsOffset);
        fault = default;
        return true;
    }
}
