using System.Runtime.CompilerServices;
using Ike.Native;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// The SA parameter block is shared with native/include/ikefast_xfrm.h (IkeFastXfrmSaParams, whose size the C side
/// checks with a static assertion): the managed mirror must have the same size, encap_oa last.
/// </summary>
public class XfrmNativeLayoutTests
{
    [Fact]
    public void SaParamsHaveTheNativeSize() => Assert.Equal(224, Unsafe.SizeOf<XfrmNativeSaParams>());
}
