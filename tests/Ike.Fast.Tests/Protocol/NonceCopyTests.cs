using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary><see cref="NonceCopy"/>: inline up to 32 bytes, pooled array beyond (RFC 2409 §5: nonces of 8 to 256 bytes).</summary>
public class NonceCopyTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(256)]
    public void Set_KeepsTheWholeNonce_AndClearEmptiesIt(int length)
    {
        var pool = new ExactLengthArrayPool();
        byte[] nonce = [.. Enumerable.Range(0, length).Select(i => (byte)(i + 1))];
        var copy = default(NonceCopy);
        Assert.True(copy.Span.IsEmpty);
        copy.Set(nonce, pool);
        Assert.True(copy.Span.SequenceEqual(nonce));
        copy.Clear(pool);
        Assert.True(copy.Span.IsEmpty);
        copy.Set([9], pool); // reusable after Clear
        Assert.True(copy.Span.SequenceEqual(new byte[] { 9 }));
    }

    [Fact]
    public void Compare_OrdersLikeTheArrays()
    {
        var pool = new ExactLengthArrayPool();
        byte[] low = [.. Enumerable.Repeat((byte)1, 40)];
        byte[] high = [.. Enumerable.Repeat((byte)1, 32), 2];
        var a = default(NonceCopy);
        var b = default(NonceCopy);
        a.Set(low, pool);
        b.Set(high, pool);
        Assert.Equal(Math.Sign(low.AsSpan().SequenceCompareTo(high)), Math.Sign(a.Span.SequenceCompareTo(b.Span)));
    }
}
