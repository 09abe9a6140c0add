namespace Ike.Fast.Protocol;

/// <summary>
/// Reassembles IKE fragments (Cisco/strongSwan IKEv1 fragmentation, payload type 132): the fragments' data,
/// concatenated in fragment-number order, is the whole original ISAKMP message (header included; charon fragments
/// its MM5 when it carries a certificate). One message in assembly per Phase 1 SA; a newer fragment ID discards an
/// older incomplete one; bounded in fragment count and bytes so a peer cannot make us hold arbitrary memory.
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

    /// <summary>Adds one fragment; true with the reassembled message once every fragment up to the last one is present.</summary>
    public bool TryAdd(ushort id, byte number, bool isLast, ReadOnlySpan<byte> data, out byte[]? message)
    {
        message = null;
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
