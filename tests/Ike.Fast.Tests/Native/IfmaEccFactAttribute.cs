using Ike.Native.Ecc;

namespace Ike.Fast.Tests.Native;

/// <summary>A fact that is skipped (with the reason shown) when the IFMA curve kernels cannot run here.</summary>
public sealed class IfmaEccFactAttribute : FactAttribute
{
    public IfmaEccFactAttribute()
    {
        if (!IfmaX25519.IsSupported)
        {
            Skip = "AVX-512 IFMA is not supported on this machine (CPU features or libikefast_native missing).";
        }
    }
}
