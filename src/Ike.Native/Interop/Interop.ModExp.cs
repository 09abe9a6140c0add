using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ike.Native;

internal static partial class Interop
{
    /// <summary>native/include/ikefast_modexp.h: the 8-lane AVX-512 IFMA modexp and CPU feature probe.</summary>
    internal static unsafe partial class IkeFastNative
    {
        internal const int ModExpOk = 0;
        internal const int ModExpUnsupportedCpu = -1;
        internal const int ModExpArgument = -2;
        internal const int ModExpModulus = -3;
        internal const int ModExpBase = -4;
        internal const int ModExpContext = -5;

        internal const int CounterMultiplications = 0;
        internal const int CounterTableReads = 1;
        internal const int CounterCalls = 2;
        internal const int CounterCount = 3;

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_CpuFeatures")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial uint CpuFeatures();

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaSupported")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial int ModExpIfmaSupported();

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaContextSize")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial long ModExpIfmaContextSize(int modulusLength);

        // Init and ModExp run for milliseconds / hundreds of microseconds: a normal GC transition.
        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaInit")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int ModExpIfmaInit(void* context, long contextLength, byte* modulus, int modulusLength);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfma8")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int ModExpIfma8(
            void* context, byte* bases, byte* exponents, int exponentLength, byte* results, int lanes);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaCounters")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial int ModExpIfmaCounters(void* context, ulong* counters, int count);

        // The fixed-base comb (key pairs g^x). Init builds the tables (milliseconds); Base8 runs for tens of microseconds.
        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaBaseContextSize")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial long ModExpIfmaBaseContextSize(int modulusLength, int exponentLength, int teeth);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaBaseInit")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int ModExpIfmaBaseInit(
            void* context, long contextLength, byte* modulus, int modulusLength, byte* baseValue, int baseLength, int exponentLength, int teeth);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaBase8")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        internal static partial int ModExpIfmaBase8(void* context, byte* exponents, int exponentLength, byte* results, int lanes);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_ModExpIfmaBaseCounters")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial int ModExpIfmaBaseCounters(void* context, ulong* counters, int count);
    }
}
