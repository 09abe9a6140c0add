using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>A fact that is skipped (with the reason shown) when this machine cannot run the tier.</summary>
public sealed class ModExpTierFactAttribute : FactAttribute
{
    public ModExpTierFactAttribute(ModExpTier tier)
    {
        if (!ModExpTestSupport.IsSupported(tier))
        {
            Skip = $"The {tier} modexp tier is not supported on this machine (CPU features or libikefast_native missing).";
        }
    }
}
