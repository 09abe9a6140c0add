using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ike.Native;

internal static partial class Interop
{
    internal static partial class IkeFastNative
    {
        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_GetAbiVersion")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl), typeof(CallConvSuppressGCTransition)])]
        internal static partial int GetAbiVersion();
    }
}
