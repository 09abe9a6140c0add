using Ike.Native;

namespace Ike.Fast.Tests.Native;

public class NativeLibraryInfoTests
{
    [Fact]
    public void NativeLibraryIsBuiltAndReportsExpectedAbi()
    {
        // The CMake step runs inside `dotnet build`; on Linux the library must be there.
        Assert.True(OperatingSystem.IsLinux());
        Assert.Equal(NativeLibraryInfo.ExpectedAbiVersion, NativeLibraryInfo.AbiVersion);
        Assert.True(NativeLibraryInfo.IsAvailable);
    }
}
