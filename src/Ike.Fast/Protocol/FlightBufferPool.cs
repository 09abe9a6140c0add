namespace Ike.Fast.Protocol;

/// <summary>
/// Datagram buffers of the exchanges' fixed sizes (Phase 1 and Quick Mode flights), rented when an exchange writes its
/// first message and returned when the message no longer needs keeping (<see cref="Flight.ReleaseBuffer"/>): idle
/// established SAs hold none, and a steady stream of handshakes reuses the same buffers. Bounded per size (a flood's
/// worth of buffers is not kept forever); not zeroed (they only ever held datagrams as sent, in clear or encrypted).
/// Not thread-safe: one per <see cref="Endpoint"/>, like its other pools.
/// </summary>
internal sealed class FlightBufferPool
{
    /// <summary>Buffers kept per size.</summary>
    public const int MaxPerSize = 1024;

    private readonly Dictionary<int, Stack<byte[]>> _bySize = [];

    public byte[] Rent(int size) =>
        _bySize.TryGetValue(size, out Stack<byte[]>? stack) && stack.TryPop(out byte[]? buffer) ? buffer : new byte[size];

    public void Return(byte[] buffer)
    {
        if (!_bySize.TryGetValue(buffer.Length, out Stack<byte[]>? stack))
        {
            if (_bySize.Count >= 8)
            {
                return;
            }

            stack = new Stack<byte[]>();
            _bySize[buffer.Length] = stack;
        }

        if (stack.Count < MaxPerSize)
        {
            stack.Push(buffer);
        }
    }
}
