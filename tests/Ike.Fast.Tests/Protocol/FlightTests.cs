using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// <see cref="Flight.Trim"/>: a finished exchange keeps only what its reply cache needs (issue #8: a Quick Mode
/// responder, which keeps nothing after QM3, held its 4 KiB writing buffer for the whole reply cache time).
/// </summary>
public class FlightTests
{
    [Fact]
    public void Trim_WithNothingKept_GivesTheBufferBackToThePool()
    {
        var pool = new FlightBufferPool();
        var flight = new Flight { Pool = pool };
        Span<byte> written = flight.Writable(4096);
        byte[] buffer = flight.Buffer;
        Assert.Equal(4096, written.Length);

        flight.Length = 0; // e.g. the responder after QM3: nothing to repeat
        flight.Trim();

        Assert.False(flight.HoldsBuffer);
        Assert.Same(buffer, pool.Rent(4096));
    }

    [Fact]
    public void Trim_WithAMessageKept_MovesItIntoASmallBuffer()
    {
        var pool = new FlightBufferPool();
        var flight = new Flight { Pool = pool };
        Span<byte> written = flight.Writable(4096);
        byte[] big = flight.Buffer;
        for (int i = 0; i < 300; i++)
        {
            written[i] = (byte)i;
        }

        flight.Length = 300;
        flight.Trim();

        Assert.Equal(512, flight.Buffer.Length);
        Assert.Equal(300, flight.Length);
        for (int i = 0; i < 300; i++)
        {
            Assert.Equal((byte)i, flight.Buffer[i]);
        }

        Assert.Same(big, pool.Rent(4096));
    }
}
