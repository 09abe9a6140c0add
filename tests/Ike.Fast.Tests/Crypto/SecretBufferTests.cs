using Ike.Fast.Crypto;

namespace Ike.Fast.Tests.Crypto;

/// <summary>
/// Runs alone (<see cref="Ike.Fast.Tests.Host.SoloCollection"/>): <see cref="SecretBufferPool"/> is process-wide, so a
/// test running in parallel that establishes SAs (each keeps its Phase 1 key buffer) can take the array this test just
/// returned before its next Rent, which then allocates a fresh pinned one: the zero-allocation assertion would measure
/// the other test, not the pool.
/// </summary>
[Collection(Ike.Fast.Tests.Host.SoloCollection.Name)]
public class SecretBufferTests
{
    [Fact]
    public void Dispose_ZeroesTheMemory_AndReturnsIt()
    {
        SecretBuffer buffer = SecretBuffer.Rent(100);
        Assert.Equal(100, buffer.Length);
        Span<byte> span = buffer.Span;
        span.Fill(0xA5);
        // Peek at the underlying memory after release through the span we kept (test-only aliasing).
        buffer.Dispose();
        Assert.True(span.IndexOfAnyExcept((byte)0) < 0);
        Assert.False(buffer.IsAllocated);
        Assert.True(buffer.Span.IsEmpty);
        buffer.Dispose(); // idempotent
    }

    [Fact]
    public void Rent_ReturnsZeroFilledMemory_AndIsAllocationFreeAfterWarmUp()
    {
        for (int i = 0; i < 4; i++)
        {
            using SecretBuffer warm = SecretBuffer.Rent(200);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            using SecretBuffer buffer = SecretBuffer.Rent(200);
            Assert.True(buffer.Span.IndexOfAnyExcept((byte)0) < 0);
            buffer.Span.Fill(1);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DisposingTwoCopiesOfOneHandle_DoesNotHandTheArrayToTwoRenters()
    {
        SecretBuffer original = SecretBuffer.Rent(3000);
        SecretBuffer copy = original; // the misuse the type warns about
        original.Dispose();
        copy.Dispose();
        SecretBuffer first = SecretBuffer.Rent(3000);
        SecretBuffer second = SecretBuffer.Rent(3000);
        first.Span[0] = 1;
        Assert.Equal(0, second.Span[0]);
        first.Dispose();
        second.Dispose();
    }
}
