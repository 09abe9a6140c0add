using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ike.Fast.Wire;

/// <summary>
/// Builds an ISAKMP message (or a bare payload chain, e.g. the plaintext of an encrypted body) into a caller's span.
/// Payload scopes back-patch what is only known at their end: <see cref="EndPayload"/> writes the generic header's
/// length, <see cref="BeginPayload"/> writes its own type into the previous payload's next-payload field (or the
/// header's), <see cref="EndProposal"/> writes the proposal length and "# of Transforms", and
/// <see cref="TryFinish"/> the header length (RFC 2408 §3.1-3.6).
/// <para>
/// Failures are sticky: once a call fails (out of space, misuse) every later call returns false and
/// <see cref="Error"/> tells why, so a sequence of writes may be checked once at <see cref="TryFinish"/>.
/// Nothing throws and nothing allocates.
/// </para>
/// <code>
/// var w = new IsakmpWriter(buffer);
/// w.WriteHeader(new IsakmpHeader(ckyI, 0, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
/// w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
///   w.BeginProposal(1, ProtocolId.Isakmp, default);
///     w.BeginTransform(1, (byte)IsakmpTransformId.KeyIke);
///       w.WriteAttribute(IkeAttributeType.EncryptionAlgorithm, 7);
///     w.EndTransform();
///   w.EndProposal();
/// w.EndPayload();
/// w.WriteVendorId(vid);
/// if (!w.TryFinish(out int length)) { /* w.Error */ }
/// </code>
/// </summary>
public ref struct IsakmpWriter
{
    private const int NoPosition = -1;

    private readonly Span<byte> _buffer;
    private int _position;
    private int _headerStart;
    private int _nextFieldPosition;
    private int _payloadStart;
    private int _proposalStart;
    private int _proposalNextField;
    private int _transformStart;
    private int _transformNextField;
    private int _transformCount;
    private WireError _error;
    private PayloadType _firstPayload;

    /// <summary>A writer for a whole message: call <see cref="WriteHeader"/> first.</summary>
    public IsakmpWriter(Span<byte> destination)
    {
        _buffer = destination;
        _position = 0;
        _headerStart = NoPosition;
        _nextFieldPosition = NoPosition;
        _payloadStart = NoPosition;
        _proposalStart = NoPosition;
        _proposalNextField = NoPosition;
        _transformStart = NoPosition;
        _transformNextField = NoPosition;
        _transformCount = 0;
        _error = WireError.None;
        _firstPayload = PayloadType.None;
    }

    /// <summary>A writer for a bare payload chain (no header); the first payload's type is
    /// <see cref="FirstPayload"/>, to be put in the header's next-payload field by the caller.</summary>
    public static IsakmpWriter ForPayloadChain(Span<byte> destination) => new(destination);

    /// <summary>Bytes written so far.</summary>
    public readonly int BytesWritten => _position;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>Why a call failed (sticky), or <see cref="WireError.None"/>.</summary>
    public readonly WireError Error => _error;

    /// <summary>Type of the first payload written (what the header's next-payload field holds).</summary>
    public readonly PayloadType FirstPayload => _firstPayload;

    /// <summary>Writes the header; <see cref="IsakmpHeader.NextPayload"/> is overwritten by the first payload and
    /// <see cref="IsakmpHeader.Length"/> by <see cref="TryFinish"/>.</summary>
    public bool WriteHeader(in IsakmpHeader header)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_position != 0)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (!header.TryWrite(_buffer))
        {
            return Fail(WireError.OutOfSpace);
        }

        _headerStart = 0;
        _nextFieldPosition = IsakmpHeader.NextPayloadOffset;
        _position = IsakmpHeader.Size;
        return true;
    }

    /// <summary>Opens a payload: links it into the chain and reserves its generic header.</summary>
    public bool BeginPayload(PayloadType type)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_payloadStart != NoPosition)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (_buffer.Length - _position < GenericPayloadHeader.Size)
        {
            return Fail(WireError.OutOfSpace);
        }

        LinkNext(type);
        int start = _position;
        StoreUInt32BigEndian(start, 0);
        _payloadStart = start;
        _nextFieldPosition = start + GenericPayloadHeader.NextPayloadOffset;
        _position = start + GenericPayloadHeader.Size;
        return true;
    }

    /// <summary>Closes the open payload and back-patches its length.</summary>
    public bool EndPayload()
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_payloadStart == NoPosition || _proposalStart != NoPosition)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (!PatchLength(_payloadStart))
        {
            return false;
        }

        _payloadStart = NoPosition;
        return true;
    }

    /// <summary>Opens an SA payload and writes its DOI and situation (RFC 2408 §3.4).</summary>
    public bool BeginSecurityAssociation(DomainOfInterpretation doi, IpsecSituation situation)
    {
        if (!BeginPayload(PayloadType.SecurityAssociation) || !WriteUInt32((uint)doi) || !WriteUInt32((uint)situation))
        {
            return false;
        }

        _proposalNextField = NoPosition;
        return true;
    }

    /// <summary>Opens a proposal inside the open SA payload (RFC 2408 §3.5); the transform count is back-patched.</summary>
    public bool BeginProposal(byte proposalNumber, ProtocolId protocolId, scoped ReadOnlySpan<byte> spi)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_payloadStart == NoPosition || _proposalStart != NoPosition || spi.Length > byte.MaxValue)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (_buffer.Length - _position < ProposalPayload.FixedSize + spi.Length)
        {
            return Fail(WireError.OutOfSpace);
        }

        if (_proposalNextField != NoPosition)
        {
            _buffer[_proposalNextField] = (byte)PayloadType.Proposal;
        }

        int start = _position;
        Span<byte> p = _buffer[start..];
        BinaryPrimitives.WriteUInt32BigEndian(p, 0);
        p[ProposalPayload.ProposalNumberOffset] = proposalNumber;
        p[ProposalPayload.ProtocolIdOffset] = (byte)protocolId;
        p[ProposalPayload.SpiSizeOffset] = (byte)spi.Length;
        p[ProposalPayload.TransformCountOffset] = 0;
        spi.CopyTo(p[ProposalPayload.SpiOffset..]);
        _proposalStart = start;
        _proposalNextField = start + GenericPayloadHeader.NextPayloadOffset;
        _transformNextField = NoPosition;
        _transformCount = 0;
        _position = start + ProposalPayload.FixedSize + spi.Length;
        return true;
    }

    /// <summary>Closes the open proposal: back-patches its length and its number of transforms.</summary>
    public bool EndProposal()
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_proposalStart == NoPosition || _transformStart != NoPosition || _transformCount > byte.MaxValue)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (!PatchLength(_proposalStart))
        {
            return false;
        }

        _buffer[_proposalStart + ProposalPayload.TransformCountOffset] = (byte)_transformCount;
        _proposalStart = NoPosition;
        return true;
    }

    /// <summary>Opens a transform inside the open proposal (RFC 2408 §3.6).</summary>
    public bool BeginTransform(byte transformNumber, byte transformId)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_proposalStart == NoPosition || _transformStart != NoPosition)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (_buffer.Length - _position < TransformPayload.FixedSize)
        {
            return Fail(WireError.OutOfSpace);
        }

        if (_transformNextField != NoPosition)
        {
            _buffer[_transformNextField] = (byte)PayloadType.Transform;
        }

        int start = _position;
        StoreUInt32BigEndian(start, 0);
        StoreUInt32BigEndian(start + TransformPayload.TransformNumberOffset, ((uint)transformNumber << 24) | ((uint)transformId << 16));
        _transformStart = start;
        _transformNextField = start + GenericPayloadHeader.NextPayloadOffset;
        _transformCount++;
        _position = start + TransformPayload.FixedSize;
        return true;
    }

    /// <summary>Closes the open transform and back-patches its length.</summary>
    public bool EndTransform()
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_transformStart == NoPosition)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (!PatchLength(_transformStart))
        {
            return false;
        }

        _transformStart = NoPosition;
        return true;
    }

    /// <summary>A TV (basic) attribute (RFC 2408 §3.3, AF=1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool WriteBasicAttribute(ushort type, ushort value)
    {
        if (_error != WireError.None || _buffer.Length - _position < DataAttribute.HeaderSize)
        {
            return FailOutOfSpaceUnlessFailed();
        }

        // One 32-bit store: AF|type in the high half, value in the low half.
        StoreUInt32BigEndian(_position, ((uint)(type | DataAttribute.FormatBit) << 16) | value);
        _position += DataAttribute.HeaderSize;
        return true;
    }

    /// <summary>A TLV (variable) attribute (RFC 2408 §3.3, AF=0) with exactly these value bytes.</summary>
    public bool WriteVariableAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if ((type & DataAttribute.FormatBit) != 0 || value.Length > ushort.MaxValue)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (_buffer.Length - _position < DataAttribute.HeaderSize + value.Length)
        {
            return Fail(WireError.OutOfSpace);
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_position + 2)..], (ushort)value.Length);
        value.CopyTo(_buffer[(_position + DataAttribute.HeaderSize)..]);
        _position += DataAttribute.HeaderSize + value.Length;
        return true;
    }

    /// <summary>
    /// An integer attribute: TV when the value fits 16 bits; otherwise TLV with the minimal big-endian value, which
    /// only variable classes allow (RFC 2409 Appendix A: "Variable length attributes MAY be encoded as basic
    /// attributes if their value can fit into two octets"; basic ones MUST NOT be TLV).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool WriteAttribute(ushort type, ulong value, bool isBasicClass)
    {
        if (value <= ushort.MaxValue)
        {
            return WriteBasicAttribute(type, (ushort)value);
        }

        return WriteLargeAttribute(type, value, isBasicClass);
    }

    private bool WriteLargeAttribute(ushort type, ulong value, bool isBasicClass)
    {
        if (isBasicClass)
        {
            return _error == WireError.None && Fail(WireError.AttributeValueNotBasic);
        }

        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        int skip = BitOperations.LeadingZeroCount(value) / 8;
        return WriteVariableAttribute(type, bytes[skip..]);
    }

    /// <summary>An IKE SA attribute (RFC 2409 Appendix A), TV or TLV as its class and value allow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool WriteAttribute(IkeAttributeType type, ulong value) =>
        WriteAttribute((ushort)type, value, DataAttributeClasses.IsBasic(type));

    /// <summary>An IPsec SA attribute (RFC 2407 §4.5), TV or TLV as its class and value allow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool WriteAttribute(IpsecAttributeType type, ulong value) =>
        WriteAttribute((ushort)type, value, DataAttributeClasses.IsBasic(type));

    /// <summary>Re-encodes a read attribute exactly (same form, same value bytes).</summary>
    public bool WriteAttribute(scoped in DataAttribute attribute) =>
        attribute.IsBasic
            ? WriteBasicAttribute(attribute.Type, attribute.BasicValue)
            : WriteVariableAttribute(attribute.Type, attribute.VariableValue);

    /// <summary>A payload whose body is one opaque field (KE, HASH, SIG, NONCE, VID, NAT-D ...).</summary>
    public bool WritePayload(PayloadType type, scoped ReadOnlySpan<byte> body)
    {
        // Fused Begin/Write/End: one state check and one capacity check for the common single-field payloads.
        if (_error != WireError.None)
        {
            return false;
        }

        if (_payloadStart != NoPosition)
        {
            return Fail(WireError.InvalidWriterState);
        }

        int length = GenericPayloadHeader.Size + body.Length;
        if (length > ushort.MaxValue)
        {
            return Fail(WireError.PayloadTooLong);
        }

        if (_buffer.Length - _position < length)
        {
            return Fail(WireError.OutOfSpace);
        }

        LinkNext(type);
        int start = _position;
        StoreUInt32BigEndian(start, (uint)length);
        body.CopyTo(_buffer.Slice(start + GenericPayloadHeader.Size));
        _nextFieldPosition = start + GenericPayloadHeader.NextPayloadOffset;
        _position = start + length;
        return true;
    }

    public bool WriteKeyExchange(scoped ReadOnlySpan<byte> keyExchangeData) => WritePayload(PayloadType.KeyExchange, keyExchangeData);

    public bool WriteNonce(scoped ReadOnlySpan<byte> nonceData) => WritePayload(PayloadType.Nonce, nonceData);

    public bool WriteHash(scoped ReadOnlySpan<byte> hashData) => WritePayload(PayloadType.Hash, hashData);

    public bool WriteSignature(scoped ReadOnlySpan<byte> signatureData) => WritePayload(PayloadType.Signature, signatureData);

    public bool WriteVendorId(scoped ReadOnlySpan<byte> vendorId) => WritePayload(PayloadType.VendorId, vendorId);

    /// <summary>NAT-D; <paramref name="type"/> is <see cref="PayloadType.NatDiscovery"/> (RFC 3947) or
    /// <see cref="PayloadType.NatDiscoveryDraft"/>, whichever the peer's NAT-T vendor ID asked for.</summary>
    public bool WriteNatDiscovery(scoped ReadOnlySpan<byte> hash, PayloadType type = PayloadType.NatDiscovery) => WritePayload(type, hash);

    /// <summary>Identification payload, IPsec DOI form (RFC 2407 §4.6.2).</summary>
    public bool WriteIdentification(IdentificationType idType, byte protocolId, ushort port, scoped ReadOnlySpan<byte> data) =>
        BeginPayload(PayloadType.Identification) && WriteByte((byte)idType) && WriteByte(protocolId) && WriteUInt16(port) &&
        WriteBytes(data) && EndPayload();

    /// <summary>Certificate payload (RFC 2408 §3.9).</summary>
    public bool WriteCertificate(CertificateEncoding encoding, scoped ReadOnlySpan<byte> data) =>
        BeginPayload(PayloadType.Certificate) && WriteByte((byte)encoding) && WriteBytes(data) && EndPayload();

    /// <summary>Certificate Request payload (RFC 2408 §3.10).</summary>
    public bool WriteCertificateRequest(CertificateEncoding certificateType, scoped ReadOnlySpan<byte> authority) =>
        BeginPayload(PayloadType.CertificateRequest) && WriteByte((byte)certificateType) && WriteBytes(authority) && EndPayload();

    /// <summary>Notification payload (RFC 2408 §3.14).</summary>
    public bool WriteNotification(uint doi, ProtocolId protocolId, NotifyMessageType notifyType, scoped ReadOnlySpan<byte> spi, scoped ReadOnlySpan<byte> data)
    {
        if (spi.Length > byte.MaxValue)
        {
            return _error == WireError.None && Fail(WireError.InvalidWriterState);
        }

        return BeginPayload(PayloadType.Notification) && WriteUInt32(doi) && WriteByte((byte)protocolId) && WriteByte((byte)spi.Length) &&
            WriteUInt16((ushort)notifyType) && WriteBytes(spi) && WriteBytes(data) && EndPayload();
    }

    /// <summary>Delete payload (RFC 2408 §3.15); <paramref name="spis"/> holds exactly
    /// <paramref name="spiCount"/> × <paramref name="spiSize"/> bytes.</summary>
    public bool WriteDelete(uint doi, ProtocolId protocolId, byte spiSize, ushort spiCount, scoped ReadOnlySpan<byte> spis)
    {
        if (spis.Length != spiSize * spiCount)
        {
            return _error == WireError.None && Fail(WireError.InvalidWriterState);
        }

        return BeginPayload(PayloadType.Delete) && WriteUInt32(doi) && WriteByte((byte)protocolId) && WriteByte(spiSize) &&
            WriteUInt16(spiCount) && WriteBytes(spis) && EndPayload();
    }

    /// <summary>NAT-OA (RFC 3947 §5.2); <paramref name="type"/> is <see cref="PayloadType.NatOriginalAddress"/>
    /// or <see cref="PayloadType.NatOriginalAddressDraft"/>.</summary>
    public bool WriteNatOriginalAddress(IdentificationType idType, scoped ReadOnlySpan<byte> address, PayloadType type = PayloadType.NatOriginalAddress) =>
        BeginPayload(type) && WriteByte((byte)idType) && WriteByte(0) && WriteUInt16(0) && WriteBytes(address) && EndPayload();

    /// <summary>Opens an Attribute payload (Transaction exchange); write its attributes then <see cref="EndPayload"/>.</summary>
    public bool BeginAttributePayload(ConfigurationType type, ushort identifier) =>
        BeginPayload(PayloadType.Attribute) && WriteByte((byte)type) && WriteByte(0) && WriteUInt16(identifier);

    /// <summary>IKE fragment payload (type 132, Cisco format).</summary>
    public bool WriteFragment(ushort fragmentId, byte fragmentNumber, FragmentFlags flags, scoped ReadOnlySpan<byte> data) =>
        BeginPayload(PayloadType.Fragment) && WriteUInt16(fragmentId) && WriteByte(fragmentNumber) && WriteByte((byte)flags) &&
        WriteBytes(data) && EndPayload();

    /// <summary>
    /// Pads the body (everything after the header, or the whole chain without one) with zero bytes to a multiple of
    /// <paramref name="blockSize"/> before encryption (RFC 2409 §5.3). With <paramref name="padLengthByte"/> the
    /// last padding byte holds the number of padding bytes before it, so there is always at least one byte of
    /// padding; without it (what strongSwan and Libreswan send) nothing is added to an aligned body.
    /// </summary>
    public bool WritePadding(int blockSize, bool padLengthByte = false)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (blockSize <= 0 || blockSize > 256 || _payloadStart != NoPosition)
        {
            return Fail(WireError.InvalidWriterState);
        }

        int bodyStart = _headerStart == NoPosition ? 0 : IsakmpHeader.Size;
        int bodyLength = _position - bodyStart;
        int padding = (blockSize - (bodyLength % blockSize)) % blockSize;
        if (padLengthByte && padding == 0)
        {
            padding = blockSize;
        }

        if (_buffer.Length - _position < padding)
        {
            return Fail(WireError.OutOfSpace);
        }

        Span<byte> pad = _buffer.Slice(_position, padding);
        pad.Clear();
        if (padLengthByte)
        {
            pad[^1] = (byte)(padding - 1);
        }

        _position += padding;
        return true;
    }

    /// <summary>Raw bytes at the current position (payload fields, or recorded padding).</summary>
    public bool WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (!bytes.TryCopyTo(_buffer[_position..]))
        {
            return Fail(WireError.OutOfSpace);
        }

        _position += bytes.Length;
        return true;
    }

    public bool WriteByte(byte value)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (_position >= _buffer.Length)
        {
            return Fail(WireError.OutOfSpace);
        }

        _buffer[_position++] = value;
        return true;
    }

    public bool WriteUInt16(ushort value)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (!BinaryPrimitives.TryWriteUInt16BigEndian(_buffer[_position..], value))
        {
            return Fail(WireError.OutOfSpace);
        }

        _position += sizeof(ushort);
        return true;
    }

    public bool WriteUInt32(uint value)
    {
        if (_error != WireError.None)
        {
            return false;
        }

        if (!BinaryPrimitives.TryWriteUInt32BigEndian(_buffer[_position..], value))
        {
            return Fail(WireError.OutOfSpace);
        }

        _position += sizeof(uint);
        return true;
    }

    /// <summary>Checks every scope is closed, back-patches the header length, and returns the total length.</summary>
    public bool TryFinish(out int length)
    {
        length = 0;
        if (_error != WireError.None)
        {
            return false;
        }

        if (_payloadStart != NoPosition || _proposalStart != NoPosition || _transformStart != NoPosition)
        {
            return Fail(WireError.InvalidWriterState);
        }

        if (_headerStart != NoPosition)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[IsakmpHeader.LengthOffset..], (uint)_position);
        }

        length = _position;
        return true;
    }

    /// <summary>Writes <paramref name="type"/> into the previous payload's (or the header's) next-payload field.</summary>
    private void LinkNext(PayloadType type)
    {
        if (_nextFieldPosition != NoPosition)
        {
            _buffer[_nextFieldPosition] = (byte)type;
        }
        else
        {
            _firstPayload = type;
        }
    }

    /// <summary>Big-endian store without a second bounds check: every caller has checked the capacity first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void StoreUInt32BigEndian(int offset, uint value)
    {
        Debug.Assert((uint)offset + sizeof(uint) <= (uint)_buffer.Length);
        Unsafe.WriteUnaligned(
            ref Unsafe.Add(ref MemoryMarshal.GetReference(_buffer), (nint)(uint)offset),
            BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value);
    }

    private bool FailOutOfSpaceUnlessFailed() => _error == WireError.None ? Fail(WireError.OutOfSpace) : false;

    private bool PatchLength(int start)
    {
        int length = _position - start;
        if (length > ushort.MaxValue)
        {
            return Fail(WireError.PayloadTooLong);
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(start + GenericPayloadHeader.LengthOffset)..], (ushort)length);
        return true;
    }

    private bool Fail(WireError error)
    {
        _error = error;
        return false;
    }
}
