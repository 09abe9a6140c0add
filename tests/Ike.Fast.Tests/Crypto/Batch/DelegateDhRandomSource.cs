using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>An <see cref="IDhRandomSource"/> over a lambda, for tests that script the bytes.</summary>
internal sealed class DelegateDhRandomSource(Action<byte[]> fill) : IDhRandomSource
{
    public void Fill(Span<byte> destination)
    {
        byte[] buffer = new byte[destination.Length];
        fill(buffer);
        buffer.CopyTo(destination);
    }
}
