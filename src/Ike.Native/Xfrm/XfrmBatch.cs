using System.Net.Sockets;
using System.Security.Cryptography;

namespace Ike.Native.Xfrm;

/// <summary>
/// Queues many SA/policy messages to send in one sendmsg (<see cref="XfrmSocket.Send"/>); the kernel answers each
/// with its own ack, matched back to the message by sequence number. The buffer is pinned, allocated once, and
/// zeroed after every send (it holds keys) and on <see cref="Clear"/>/<see cref="Dispose"/>.
/// </summary>
public sealed class XfrmBatch : IDisposable
{
    private const int NlmsgTypeOffset = 4;
    private const ushort NlmsgNoop = 1;
    private readonly byte[] _buffer;
    private int[] _errors;
    private int _length;

    /// <summary>Creates a batch whose messages fit in <paramref name="capacityBytes"/> (an SA message is ~250-450 bytes).</summary>
    public XfrmBatch(int capacityBytes = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 256);
        _buffer = GC.AllocateArray<byte>(capacityBytes, pinned: true);
        _errors = new int[Math.Max(16, capacityBytes / 256)];
    }

    /// <summary>Number of queued messages.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes queued.</summary>
    public int Length => _length;

    /// <summary>
    /// Tests only: SA messages (NEWSA, UPDSA, DELSA) are queued as NLMSG_NOOP with their length, sequence number and
    /// flags kept, as tests/interop/xfrm-shim does for charon and pluto, so an installer can be driven end to end on a
    /// kernel without ESP (EPROTONOSUPPORT on every SA add): the kernel answers a NOOP only when an ack was asked for,
    /// and then with success (netlink_rcv_skb). Policy messages reach the kernel unchanged.
    /// </summary>
    internal bool SaMessagesAsNoop { get; set; }

    public XfrmStatus AddSa(in XfrmSaParameters sa) => AppendSa(XfrmMessageBuilder.BuildSa(sa, update: false, Free));

    public XfrmStatus UpdateSa(in XfrmSaParameters sa) => AppendSa(XfrmMessageBuilder.BuildSa(sa, update: true, Free));

    public XfrmStatus DeleteSa(XfrmAddress source, XfrmAddress destination, AddressFamily family, XfrmProtocol protocol, uint spi) =>
        AppendSa(XfrmMessageBuilder.BuildDeleteSa(source, destination, family, protocol, spi, Free));

    public XfrmStatus AddPolicy(in XfrmPolicyParameters policy) =>
        Append(XfrmMessageBuilder.BuildPolicy(policy, update: false, Free));

    public XfrmStatus UpdatePolicy(in XfrmPolicyParameters policy) =>
        Append(XfrmMessageBuilder.BuildPolicy(policy, update: true, Free));

    public XfrmStatus DeletePolicy(in XfrmSelector selector, XfrmPolicyDirection direction) =>
        Append(XfrmMessageBuilder.BuildDeletePolicy(selector, direction, Free));

    /// <summary>
    /// Deletes the policy with the kernel's <paramref name="index"/> (learnt with <see cref="GetPolicy"/>): found in the
    /// kernel's index hash, where a delete by selector also walks the whole tree of non-host policies (Linux prunes
    /// it on every such delete: an O(policies) walk, about 9 us per delete at 240 peers).
    /// </summary>
    public XfrmStatus DeletePolicy(uint index, XfrmPolicyDirection direction) =>
        Append(XfrmMessageBuilder.BuildPolicyId(default, direction, index, get: false, Free));

    /// <summary>Asks for the policy with <paramref name="selector"/>: the answer's value (<see cref="XfrmSocket.Send(XfrmBatch, Span{XfrmStatus}, Span{uint})"/>)
    /// is its index, which a later <see cref="DeletePolicy(uint, XfrmPolicyDirection)"/> names.</summary>
    public XfrmStatus GetPolicy(in XfrmSelector selector, XfrmPolicyDirection direction) =>
        Append(XfrmMessageBuilder.BuildPolicyId(selector, direction, 0, get: true, Free));

    /// <summary>
    /// Drops the messages queued after the first <paramref name="count"/> (which took <paramref name="length"/> bytes:
    /// <see cref="Count"/> and <see cref="Length"/> read then), zeroing their bytes: a caller whose later messages
    /// could not all be built keeps the earlier ones.
    /// </summary>
    public void TruncateTo(int count, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(length, _length - length));
        _length = length;
        Count = count;
    }

    /// <summary>Drops the queued messages, zeroing their bytes.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        _length = 0;
        Count = 0;
    }

    public void Dispose() => Clear();

    internal byte[] Buffer => _buffer;

    internal int[] Errors => _errors;

    /// <summary>After a send: the native side already zeroed the bytes.</summary>
    internal void MarkSent()
    {
        _length = 0;
        Count = 0;
    }

    private Span<byte> Free => _buffer.AsSpan(_length);

    private XfrmStatus AppendSa(int result)
    {
        if (SaMessagesAsNoop && result >= NlmsgTypeOffset + sizeof(ushort))
        {
            // struct nlmsghdr { u32 nlmsg_len; u16 nlmsg_type; ... } in host order.
            BitConverter.TryWriteBytes(_buffer.AsSpan(_length + NlmsgTypeOffset), NlmsgNoop);
        }

        return Append(result);
    }

    private XfrmStatus Append(int result)
    {
        if (result < 0)
        {
            return XfrmErrno.ToStatus(result);
        }

        _length += result;
        Count++;
        if (Count > _errors.Length)
        {
            // Only when the messages are smaller than the estimate; amortised, never on a steady batch size.
            Array.Resize(ref _errors, _errors.Length * 2);
        }

        return XfrmStatus.Success;
    }
}
