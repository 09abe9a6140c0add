using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;

namespace Ike.Fast.Tests.Crypto.KeySchedule;

public class CbcIvChainTests
{
    [Fact]
    public void Phase2Chain_IsTruncatedHashOfLastBlockAndMessageId()
    {
        byte[] last = Convert.FromHexString("a70081ef885aa6f38a7f1038d2e8c1f3");
        CbcIvChain chain = default;
        Assert.True(chain.Current.IsEmpty);
        chain.InitializePhase2(IkeHashAlgorithm.Sha256, last, 0xc6283f97);
        byte[] expected = System.Security.Cryptography.SHA256.HashData([.. last, 0xc6, 0x28, 0x3f, 0x97])[..16];
        Assert.Equal(expected, chain.Current.ToArray());
        chain.Clear();
        Assert.True(chain.Current.IsEmpty);
    }

    [Fact]
    public void WrongSizes_Throw()
    {
        CbcIvChain chain = default;
        Assert.Throws<ArgumentException>(() => chain.Initialize(new byte[12]));
        Assert.Throws<ArgumentException>(() => chain.InitializePhase2(IkeHashAlgorithm.Sha1, new byte[4], 1));
    }
}
