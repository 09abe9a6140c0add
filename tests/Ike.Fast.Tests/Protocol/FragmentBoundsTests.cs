using System.Buffers.Binary;
using System.Net;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// IKE fragmentation (payload 132): the reassembly bounds (fragment count, bytes, one message per SA, late fragments
/// of an older message) and a retransmitted fragmented message, whose reply was lost, answered as a retransmission
/// rather than dropped as a replay or processed twice.
/// </summary>
public class FragmentBoundsTests
{
    [Fact]
    public void FragmentCountIsBounded()
    {
        var r = new FragmentReassembler();
        Assert.False(r.TryAdd(1, FragmentReassembler.MaxFragments + 1, true, [1], out _));
        for (byte i = 1; i < FragmentReassembler.MaxFragments; i++)
        {
            Assert.False(r.TryAdd(1, i, false, [i], out _));
        }

        Assert.True(r.TryAdd(1, FragmentReassembler.MaxFragments, true, [16], out byte[]? whole));
        Assert.Equal(FragmentReassembler.MaxFragments, whole!.Length);
    }

    [Fact]
    public void ANewerMessageDiscardsTheIncompleteOne_LateFragmentsOfTheOlderAreIgnored()
    {
        var r = new FragmentReassembler();
        Assert.False(r.TryAdd(5, 1, false, [1], out _));
        Assert.False(r.TryAdd(6, 1, false, [9], out _)); // message 6 replaces the incomplete 5
        Assert.False(r.TryAdd(5, 2, true, [2], out _)); // a late fragment of 5: not mixed into 6
        Assert.True(r.TryAdd(6, 2, true, [8], out byte[]? whole));
        Assert.Equal([9, 8], whole);
        Assert.False(r.TryAdd(8, 2, true, [2], out _));
        Assert.False(r.TryAdd(8, 3, true, [3], out _)); // a second "last" fragment in one message is refused
        Assert.True(r.TryAdd(8, 1, false, [1], out whole));
        Assert.Equal([1, 2], whole);
    }

    [Fact]
    public void ARetransmittedSetReassemblesAgain()
    {
        var r = new FragmentReassembler();
        Assert.False(r.TryAdd(3, 1, false, [1], out _));
        Assert.True(r.TryAdd(3, 2, true, [2], out byte[]? first));
        Assert.False(r.TryAdd(3, 1, false, [1], out _));
        Assert.True(r.TryAdd(3, 2, true, [2], out byte[]? again));
        Assert.Equal(first, again);
    }

    [Fact]
    public void FragmentedMm5Retransmitted_AfterMm6Lost_IsAnsweredAsARetransmission()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        byte[]? mm5 = null;
        int mm6Seen = 0;
        c.Filter = (fromA, index, bytes) =>
        {
            if (fromA && (index == 4 || (mm5 is not null && bytes.AsSpan().SequenceEqual(mm5))))
            {
                // MM5, and each retransmission of it, as two IKE fragments, the last one first.
                mm5 = bytes;
                int half = bytes.Length / 2;
                c.B.Handle(c.Now, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500),
                    Fragment(bytes, 2, last: true, bytes.AsSpan(half)));
                return Fragment(bytes, 1, last: false, bytes.AsSpan(0, half));
            }

            if (!fromA && mm5 is not null && mm6Seen++ == 0)
            {
                return null; // the first MM6 is lost
            }

            return bytes;
        };
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Empty(c.Of(true, EngineEventKind.Phase1Up));
        c.RunUntilQuiet();

        // B reassembled the retransmitted MM5 and re-sent its MM6: one ISAKMP SA on each side, then the Quick Mode.
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
        Assert.True(mm6Seen >= 2);
    }

    [Fact]
    public void LostFragment_TheRetransmittedSetCompletesTheMessage()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        byte[]? mm5 = null;
        int sets = 0;
        c.Filter = (fromA, index, bytes) =>
        {
            if (fromA && (index == 4 || (mm5 is not null && bytes.AsSpan().SequenceEqual(mm5))))
            {
                // MM5 as two fragments; the first time, the last fragment is lost.
                mm5 = bytes;
                int half = bytes.Length / 2;
                if (sets++ > 0)
                {
                    c.B.Handle(c.Now, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500),
                        Fragment(bytes, 2, last: true, bytes.AsSpan(half)));
                }

                return Fragment(bytes, 1, last: false, bytes.AsSpan(0, half));
            }

            return bytes;
        };
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Empty(c.Of(false, EngineEventKind.Phase1Up));
        c.RunUntilQuiet();
        Assert.True(sets >= 2);
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    private static byte[] Fragment(byte[] message, byte number, bool last, ReadOnlySpan<byte> data)
    {
        byte[] buffer = new byte[data.Length + 64];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(new IsakmpHeader(BinaryPrimitives.ReadUInt64BigEndian(message), BinaryPrimitives.ReadUInt64BigEndian(message.AsSpan(8)),
            PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        w.WriteFragment(7, number, last ? FragmentFlags.Last : FragmentFlags.None, data);
        Assert.True(w.TryFinish(out int length));
        return buffer[..length];
    }
}
