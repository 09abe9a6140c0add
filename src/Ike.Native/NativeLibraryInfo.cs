namespace Ike.Native;

/// <summary>Whether libikefast_native is present and of the ABI this assembly was built against.</summary>
public static class NativeLibraryInfo
{
    /// <summary>The ABI version this assembly expects (IKEFAST_NATIVE_ABI_VERSION in native/include/ikefast_native.h).</summary>
    public const int ExpectedAbiVersion = 1;

    private static readonly Lazy<int> s_abiVersion = new(Probe);

    /// <summary>True when the native library loaded and reports <see cref="ExpectedAbiVersion"/>.</summary>
    public static bool IsAvailable => s_abiVersion.Value == ExpectedAbiVersion;

    /// <summary>The ABI version the loaded library reports, or -1 when it could not be loaded.</summary>
    public static int AbiVersion => s_abiVersion.Value;

    private static int Probe()
    {
        try
        {
            return Interop.IkeFastNative.GetAbiVersion();
        }
        catch (DllNotFoundException)
        {
            return -1;
        }
        catch (EntryPointNotFoundException)
        {
            return -1;
        }
    }
}
