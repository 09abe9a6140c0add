using System.Runtime.Intrinsics.X86;
using CsCheck;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.Interop;

namespace Ike.Fast.Tests.Crypto;

public class ShaNativeTests
{
    [Fact]
    public void Kernels_AreLoaded_WhenTheCpuHasShaExtensions()
    {
        // The test project references Ike.Native, so libikefast_native.so sits next to the assemblies.
        bool cpuHasSha = X86Base.IsSupported && Sse41.IsSupported && (X86Base.CpuId(7, 0).Ebx & (1 << 29)) != 0;
        Assert.Equal(cpuHasSha, ShaNative.IsAvailable);
    }

    [Fact]
    public void Compress_EqualsScalar_OnRandomStatesAndBlocks()
    {
        if (!ShaNative.IsAvailable)
        {
            return;
        }

        Gen.Select(Gen.UInt.Array[8], Gen.Int[1, 5]).Sample(t =>
        {
            (uint[] initial, int blocks) = t;
            var data = new byte[blocks * 64];
            Random.Shared.NextBytes(data);

            uint[] native = initial.ToArray(), scalar = initial.ToArray();
            ShaNative.Sha256Compress(native, data);
            ShaScalar.Sha256Compress(scalar, data);
            Assert.Equal(scalar, native);

            native = initial.ToArray();
            scalar = initial.ToArray();
            ShaNative.Sha1Compress(native.AsSpan(0, 5), data);
            ShaScalar.Sha1Compress(scalar.AsSpan(0, 5), data);
            Assert.Equal(scalar, native);
        }, iter: 200);
    }
}
