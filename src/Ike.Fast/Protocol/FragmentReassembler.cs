namespace Ike.Fast.Protocol;

/// <summary>
/// Reassembles IKE fragments (Cisco/strongSwan IKEv1 fragmentation, payload type 132): the fragments' data,
/// concatenated in fragment-number order, is the whole original ISAKMP message (header included; charon fragments
/// its MM5 when it carries a certificate). One message in assembly per Phase 1 SA; a newer fragment ID discards an
/// older incomplete one; bounded in fragment count and bytes so a peer cannot make us hold arbitrary memory, and in
/// time: a set older than the endpoint's <c>FragmentReassemblyMs</c> is dropped when the next fragment arrives, and the
/// whole reassembler goes with the SA's Phase 1 material once the SA is established and its reply cache time passed
/// (<see cref="IkeSa.ReleasePhase1Material"/>) or with the half-open SA when that expires.
/// </summary>
internal sealed class FragmentReassembler
{
    public const int MaxFragments = 16;
    public const int MaxBytes = 65535;

    private readonly byte[]?[] _parts = new byte[]?[MaxFragments + 1];
    private ushort _id;
    private bool _active;
    private int _last;
    private int _bytes;
    private long _startedAt;

    /// <summary>Adds one fragment; true with the reassembled message once every fragment up to the last one is present.</summary>
    public bool TryAdd(ushort id, byte number, bool isLast, ReadOnlySpan<byte> data, out byte[]? message) =>
        TryAdd(0, long.MaxValue, id, number, isLast, data, out message);

    /// <summary>
    /// As <see cref="TryAdd(ushort, byte, bool, ReadOnlySpan{byte}, out byte[])"/>, at time <paramref name="now"/>: an
    /// incomplete set begun more than <paramref name="maxAgeMs"/> earlier is discarded first (its sender retransmits
    /// the whole set, RFC 2408 §5 style retransmission of the original message, so nothing is lost but stale memory).
    /// </summary>
    public bool TryAdd(long now, long maxAgeMs, ushort id, byte number, bool isLast, ReadOnlySpan<byte> data, out byte[]? message)
    {
        message = null;
        if (_active && now - _startedAt > maxAgeMs)
        {
            Reset();
        }

        if (number is 0 or > MaxFragments)
        {
            return false;
        }

        if (!_active || id != _id)
        {
            if (_active && (short)(id - _id) < 0)
            {
                return false; // a late fragment of an older message
            }

            Reset();
            _id = id;
            _active = true;
            _startedAt = now;
        }

        if (_parts[number] is not null || _bytes + data.Length > MaxBytes || (isLast && _last != 0))
        {
            return false;
        }

        _parts[number] = data.ToArray();
        _bytes += data.Length;
        if (isLast)
        {
            _last = number;
        }

        if (_last == 0)
        {
            return false;
        }

        for (int i = 1; i <= _last; i++)
        {
            if (_parts[i] is null)
            {
                return false;
            }
        }

        message = new byte[_bytes];
        int offset = 0;
        for (int i = 1; i <= _last; i++)
        {
            _parts[i]!.CopyTo(message, offset);
            offset += _parts[i]!.Length;
        }

        Reset(); // a retransmitted set reassembles again and is then answered as a retransmission
        return true;
    }

    private void Reset()
    {
        Array.Clear(_parts);
        _last = 0;
        _bytes = 0;
        _active = false;
    }
}
