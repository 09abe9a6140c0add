using Ike.Native.Ecc;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>A fact that is skipped (with the reason shown) when this machine cannot run the 8-lane IFMA curve kernels.</summary>
public sealed class IfmaEcdhFactAttribute : FactAttribute
{
    public IfmaEcdhFactAttribute()
    {
        if (!IfmaX25519.IsSupported || !IfmaP256.IsSupported)
        {
            Skip = "AVX-512 IFMA (or libikefast_native) is missing: the batched X25519 / P-256 lanes cannot run here; NSec / .NET serve the curves.";
        }
    }
}
