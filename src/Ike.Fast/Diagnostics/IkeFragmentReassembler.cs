using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Collects IKEv1 fragments (the Cisco/strongSwan "IKE fragmentation" payload, type 132: fragment ID, number,
/// last-fragment flag, data) and returns the original ISAKMP message once the fragment flagged last and every
/// number before it have arrived. Fragments are keyed by initiator cookie and fragment ID. Bounded so a hostile
/// capture cannot make it grow without limit.
/// </summary>
internal sealed class IkeFragmentReassembler
{
    /// <summary>Fragment numbers are 1-based and a byte; real peers use a handful.</summary>
    public const int MaxFragments = 32;

    /// <summary>Reassembled ISAKMP messages cannot exceed a UDP datagram.</summary>
    public const int MaxMessageLength = 65535;

    private const int MaxPendingMessages = 64;

    private readonly Dictionary<(ulong Cookie, ushort Id), PendingMessage> _pending = [];

    /// <summary>
    /// Offers one ISAKMP message. True when it was the fragment that completed a message: <paramref name="reassembled"/>
    /// is the original message and <paramref name="frames"/> the frames its fragments came in, in order.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> message, int? frame, out byte[] reassembled, out int?[] frames)
    {
        reassembled = [];
        frames = [];
        if (!IsakmpMessageReader.TryCreate(message, out IsakmpMessageReader reader, out _)
            || reader.Header.NextPayload != PayloadType.Fragment
            || !reader.TryReadNext(out RawPayload payload)
            || !FragmentPayload.TryRead(payload.Body, payload.BodyOffset, out FragmentPayload fragment, out _)
            || fragment.FragmentNumber == 0
            || fragment.FragmentNumber > MaxFragments)
        {
            return false;
        }

        var key = (reader.Header.InitiatorCookie, fragment.FragmentId);
        if (!_pending.TryGetValue(key, out PendingMessage? pending))
        {
            if (_pending.Count == MaxPendingMessages)
            {
                _pending.Clear(); // a diagnostic tool may forget; it must not grow without bound
            }

            pending = new PendingMessage();
            _pending[key] = pending;
        }

        // A retransmitted fragment replaces the earlier copy; fragments may arrive in any order.
        SortedDictionary<byte, (byte[] Data, int? Frame)> parts = pending.Parts;
        parts[fragment.FragmentNumber] = (fragment.Data.ToArray(), frame);
        if (fragment.IsLast)
        {
            pending.LastNumber = fragment.FragmentNumber;
        }

        // Complete when the last fragment was seen and exactly the numbers 1..last are present.
        if (pending.LastNumber == 0 || parts.Count != pending.LastNumber || parts.Keys.Max() != pending.LastNumber)
        {
            return false;
        }

        int length = parts.Values.Sum(p => p.Data.Length);
        _pending.Remove(key);
        if (length > MaxMessageLength)
        {
            return false;
        }

        reassembled = new byte[length];
        int offset = 0;
        foreach ((byte[] data, int? _) in parts.Values)
        {
            data.CopyTo(reassembled, offset);
            offset += data.Length;
        }

        frames = parts.Values.Select(p => p.Frame).ToArray();
        return true;
    }

    private sealed class PendingMessage
    {
        public SortedDictionary<byte, (byte[] Data, int? Frame)> Parts { get; } = [];

        /// <summary>The number of the fragment flagged last, 0 until it arrives.</summary>
        public int LastNumber { get; set; }
    }
}
