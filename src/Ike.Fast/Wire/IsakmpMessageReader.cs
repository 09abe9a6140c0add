namespace Ike.Fast.Wire;

/// <summary>
/// Entry point for one received ISAKMP message (non-ESP marker already stripped): checks the header (RFC 2408 §5.1)
/// and walks the payload chain of an unencrypted body. For an encrypted body (E flag), hand
/// <see cref="Body"/> to the crypto layer and walk the plaintext with
/// <see cref="PayloadChainReader.ForDecryptedBody"/>.
/// <code>
/// if (!IsakmpMessageReader.TryCreate(datagram, out var msg, out var fault)) return fault;
/// while (msg.TryReadNext(out RawPayload p))
///     switch (p.Type) { case PayloadType.Nonce: NoncePayload.TryRead(p.Body, p.BodyOffset, out var n, out fault); ... }
/// if (msg.Fault.IsError) ...
/// </code>
/// Offsets in faults are from the start of the message.
/// </summary>
public ref struct IsakmpMessageReader
{
    private PayloadChainReader _chain;

    private IsakmpMessageReader(ReadOnlySpan<byte> message, IsakmpHeader header, IsakmpReadOptions options)
    {
        Message = message[..(int)header.Length];
        TrailingBytes = message[(int)header.Length..];
        Header = header;
        Body = Message[IsakmpHeader.Size..];
        _chain = new PayloadChainReader(Body, header.IsEncrypted ? PayloadType.None : header.NextPayload, IsakmpHeader.Size, options);
    }

    /// <summary>The parsed header.</summary>
    public IsakmpHeader Header { get; }

    /// <summary>The whole message (exactly <see cref="IsakmpHeader.Length"/> bytes).</summary>
    public ReadOnlySpan<byte> Message { get; }

    /// <summary>Bytes after <see cref="IsakmpHeader.Length"/> (only with <see cref="IsakmpReadOptions.AllowTrailingBytes"/>).</summary>
    public ReadOnlySpan<byte> TrailingBytes { get; }

    /// <summary>Everything after the header: the payload chain, or the ciphertext when <see cref="IsEncrypted"/>.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>E flag set: <see cref="Body"/> is ciphertext.</summary>
    public readonly bool IsEncrypted => Header.IsEncrypted;

    /// <summary>The failure once <see cref="TryReadNext"/> returned false because of one.</summary>
    public readonly WireFault Fault => IsEncrypted ? new WireFault(WireError.BodyEncrypted, IsakmpHeader.Size) : _chain.Fault;

    /// <summary>True once the whole unencrypted chain was read cleanly.</summary>
    public readonly bool IsComplete => !IsEncrypted && _chain.IsComplete;

    /// <summary>Checks the header against <paramref name="message"/> (which must be exactly one ISAKMP message).</summary>
    public static bool TryCreate(ReadOnlySpan<byte> message, out IsakmpMessageReader reader, out WireFault fault) =>
        TryCreate(message, IsakmpReadOptions.None, out reader, out fault);

    /// <summary>As <see cref="TryCreate(ReadOnlySpan{byte}, out IsakmpMessageReader, out WireFault)"/>, with
    /// leniencies.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> message, IsakmpReadOptions options, out IsakmpMessageReader reader, out WireFault fault)
    {
        if (!IsakmpHeader.TryRead(message, out IsakmpHeader header, out fault) &&
            !(fault.Error == WireError.DatagramLongerThanHeaderLength && (options & IsakmpReadOptions.AllowTrailingBytes) != 0))
        {
            reader = default;
            return false;
        }

        fault = default;
        reader = new IsakmpMessageReader(message, header, options);
        return true;
    }

    /// <summary>Next payload of an unencrypted body; false at the end or on a failure (<see cref="Fault"/>), and
    /// always false for an encrypted body.</summary>
    public bool TryReadNext(out RawPayload payload)
    {
        if (IsEncrypted)
        {
            payload = default;
            return false;
        }

        return _chain.TryReadNext(out payload);
    }
}
