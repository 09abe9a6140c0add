using System.Reflection;
using Ike.Fast.Crypto;

namespace Ike.Fast.Tests.Crypto;

/// <summary>
/// <see cref="BufferedSystemRandom"/>: bytes are handed out once and wiped from the per-thread block, short and long
/// requests are served, the output is not obviously biased, and the steady state allocates nothing.
/// </summary>
public class BufferedSystemRandomTests
{
    [Fact]
    public void Short_requests_come_from_the_block_which_keeps_only_unused_bytes()
    {
        Span<byte> a = stackalloc byte[16];
        BufferedSystemRandom.Fill(a); // the block exists on this thread now
        byte[] block = (byte[])typeof(BufferedSystemRandom).GetField("t_block", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        int used = (int)typeof(BufferedSystemRandom).GetField("t_used", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.True(used >= 16);
        Assert.True(block.AsSpan(0, used).IndexOfAnyExcept((byte)0) < 0, "handed-out bytes are wiped from the block");
        Assert.True(block.AsSpan(used).IndexOfAnyExcept((byte)0) >= 0, "the unused rest is random");
    }

    [Fact]
    public void Consecutive_values_differ_across_block_refills_and_lengths()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 2000; i++)
        {
            int length = 8 + (i % 57); // 8..64: crosses block boundaries at every offset
            byte[] value = new byte[length];
            BufferedSystemRandom.Fill(value);
            Assert.True(seen.Add(Convert.ToHexString(value)));
        }

        byte[] large = new byte[BufferedSystemRandom.DirectThreshold + 1];
        BufferedSystemRandom.Fill(large);
        Assert.True(large.AsSpan().IndexOfAnyExcept((byte)0) >= 0);
        BufferedSystemRandom.Fill(Span<byte>.Empty);
    }

    [Fact]
    public void Byte_values_are_roughly_uniform()
    {
        // 256 KiB of 32-byte draws: every byte value within +-20% of its expectation (1,024); a stuck or repeating
        // block would fail by far. Not a statistical test suite, a guard against a broken block walk.
        var counts = new int[256];
        byte[] value = new byte[32];
        for (int i = 0; i < 8192; i++)
        {
            BufferedSystemRandom.Fill(value);
            foreach (byte b in value)
            {
                counts[b]++;
            }
        }

        Assert.All(counts, c => Assert.InRange(c, 820, 1230));
    }

    [Fact]
    public void Steady_state_allocates_nothing()
    {
        Span<byte> value = stackalloc byte[32];
        BufferedSystemRandom.Fill(value);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            BufferedSystemRandom.Fill(value);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
