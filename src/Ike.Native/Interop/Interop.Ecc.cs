using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ike.Native;

internal static partial class Interop
{
    /// <summary>native/include/ikefast_ecc.h: the 8-lane AVX-512 IFMA elliptic-curve kernels.</summary>
    internal static unsafe partial class IkeFastNativeEcc
    {
        internal const int UnsupportedCpu = -1;
        internal const int Argument = -2;

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_X25519IfmaSupported")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial int X25519IfmaSupported();

        // Eight scalar multiplications take some 100 microseconds: a normal GC transition.
        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_X25519Ifma8")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int X25519Ifma8(byte* results, byte* scalars, byte* points, int lanes);

        // Eight fixed-base key pairs take some 10 microseconds: a normal GC transition.
        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_X25519Ifma8Base")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int X25519Ifma8Base(byte* results, byte* scalars, int lanes);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_P256IfmaSupported")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial int P256IfmaSupported();

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_P256Ifma8")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int P256Ifma8(byte* results, byte* scalars, byte* points, int lanes);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_P256Ifma8Point")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int P256Ifma8Point(byte* results, byte* scalars, byte* points, int lanes);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_P256Ifma8Base")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int P256Ifma8Base(byte* results, byte* scalars, int lanes);
    }
}
