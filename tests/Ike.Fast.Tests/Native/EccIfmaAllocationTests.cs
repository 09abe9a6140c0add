using Ike.Native.Ecc;

namespace Ike.Fast.Tests.Native;

/// <summary>The IFMA curve kernels allocate nothing per call (GC.GetAllocatedBytesForCurrentThread after a warm-up).</summary>
public class EccIfmaAllocationTests
{
    [IfmaEccFact]
    public void X25519_multiply_allocates_nothing()
    {
        byte[] scalars = new byte[256];
        byte[] points = new byte[256];
        byte[] results = new byte[256];
        new Random(1).NextBytes(scalars);
        new Random(2).NextBytes(points);
        IfmaX25519.Multiply(scalars, points, results, 8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            IfmaX25519.Multiply(scalars, points, results, 8);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [IfmaEccFact]
    public void X25519_fixed_base_allocates_nothing()
    {
        byte[] scalars = new byte[256];
        byte[] results = new byte[256];
        new Random(4).NextBytes(scalars);
        IfmaX25519.MultiplyBase(scalars, results, 8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            IfmaX25519.MultiplyBase(scalars, results, 8);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [IfmaEccFact]
    public void P256_multiply_allocates_nothing()
    {
        byte[] scalars = new byte[256];
        byte[] points = new byte[512];
        byte[] results = new byte[256];
        new Random(3).NextBytes(scalars);
        IfmaP256.Multiply(scalars, points, results, 8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            IfmaP256.Multiply(scalars, points, results, 8);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
