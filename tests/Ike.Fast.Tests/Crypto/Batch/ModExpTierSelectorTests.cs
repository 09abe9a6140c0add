using System.Runtime.Intrinsics.X86;
using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>Tier choice: CPU features first, then the environment variable, then the option (which wins).</summary>
public class ModExpTierSelectorTests
{
    [Fact]
    public void Picks_the_fastest_supported_tier()
    {
        ModExpTier expected = ModExpTestSupport.IsSupported(ModExpTier.Ifma) ? ModExpTier.Ifma
            : Avx512F.IsSupported ? ModExpTier.Avx512
            : Avx2.IsSupported ? ModExpTier.Avx2
            : ModExpTier.Scalar;
        Assert.Equal(expected, ModExpTierSelector.Select(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native }, null));
        ModExpTier managed = Avx512F.IsSupported ? ModExpTier.Avx512 : Avx2.IsSupported ? ModExpTier.Avx2 : ModExpTier.Scalar;
        Assert.Equal(managed, ModExpTierSelector.Select(new ModExpBatchOptions(), null));
    }

    [Theory]
    [InlineData("scalar", ModExpTier.Scalar)]
    [InlineData(" AVX2 ", ModExpTier.Avx2)]
    [InlineData("avx512", ModExpTier.Avx512)]
    [InlineData("ifma", ModExpTier.Ifma)]
    public void Environment_value_forces_a_tier(string value, ModExpTier tier)
    {
        var options = new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native };
        if (ModExpTestSupport.IsSupported(tier))
        {
            Assert.Equal(tier, ModExpTierSelector.Select(options, value));
        }
        else
        {
            Assert.Throws<PlatformNotSupportedException>(() => ModExpTierSelector.Select(options, value));
        }
    }

    [Fact]
    public void Option_wins_over_environment_and_garbage_is_refused()
    {
        var options = new ModExpBatchOptions { Tier = ModExpTier.Scalar, NativeFactory = ModExpTestSupport.Native };
        Assert.Equal(ModExpTier.Scalar, ModExpTierSelector.Select(options, "ifma"));
        Assert.Throws<ArgumentException>(() => ModExpTierSelector.Select(new ModExpBatchOptions(), "fast"));
        Assert.Null(ModExpTierSelector.ParseTier(""));
        Assert.Throws<PlatformNotSupportedException>(() => ModExpTierSelector.Select(new ModExpBatchOptions { Tier = ModExpTier.Ifma }, null));
    }

    [Fact]
    public void Batcher_uses_the_forced_tier()
    {
        using var batcher = new ModExpBatcher(new ModExpBatchOptions { Tier = ModExpTier.Scalar });
        Assert.Equal(ModExpTier.Scalar, batcher.Tier);
        var owner = new RecordingCompletion();
        var requests = ModExpBatcherTests.Enqueue(batcher, owner, Ike.Fast.Crypto.DiffieHellman.DhGroupId.Modp768, 3, new Random(8), TimeSpan.Zero);
        batcher.Poll(TimeSpan.FromSeconds(1));
        ModExpBatcherTests.AssertResults(owner, requests, Ike.Fast.Crypto.DiffieHellman.DhGroupId.Modp768);
    }
}
