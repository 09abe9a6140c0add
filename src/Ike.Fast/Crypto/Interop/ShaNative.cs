using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Ike.Fast.Crypto.Interop;

/// <summary>
/// Optional SHA-NI compression kernels from libikefast_native (native/src/sha_ni.c). The engine does not reference
/// Ike.Native, so the library is probed with <see cref="NativeLibrary"/> and called through unmanaged function
/// pointers; when it, the exports, or the CPU's SHA extensions are missing the managed paths are used instead.
/// </summary>
internal static unsafe class ShaNative
{
    private const string LibraryName = "ikefast_native";

    /// <summary>Exported kernel ABI: <c>void f(uint32_t* state, const uint8_t* blocks, size_t blockCount)</c>.</summary>
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<uint*, byte*, nuint, void> s_sha256;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<uint*, byte*, nuint, void> s_sha1;

    static ShaNative()
    {
        // CPUID.(EAX=7,ECX=0):EBX bit 29 = SHA extensions; the kernels also use SSSE3/SSE4.1.
        if (!X86Base.IsSupported || !Sse41.IsSupported || (X86Base.CpuId(7, 0).Ebx & (1 << 29)) == 0)
        {
            return;
        }

        if (!NativeLibrary.TryLoad(LibraryName, typeof(ShaNative).Assembly, null, out nint handle))
        {
            return;
        }

        if (NativeLibrary.TryGetExport(handle, "IkeFastNative_Sha256CompressShaNi", out nint sha256)
            && NativeLibrary.TryGetExport(handle, "IkeFastNative_Sha1CompressShaNi", out nint sha1))
        {
            s_sha256 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<uint*, byte*, nuint, void>)sha256;
            s_sha1 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<uint*, byte*, nuint, void>)sha1;
        }
    }

    /// <summary>True when the SHA-NI kernels can be called on this machine.</summary>
    internal static bool IsAvailable => s_sha256 != null;

    /// <summary>Runs the SHA-256 compression function over whole 64-byte blocks.</summary>
    internal static void Sha256Compress(Span<uint> state, ReadOnlySpan<byte> blocks)
    {
        fixed (uint* s = state)
        fixed (byte* b = blocks)
        {
            s_sha256(s, b, (nuint)(blocks.Length / 64));
        }
    }

    /// <summary>Runs the SHA-1 compression function over whole 64-byte blocks (state: five words).</summary>
    internal static void Sha1Compress(Span<uint> state, ReadOnlySpan<byte> blocks)
    {
        fixed (uint* s = state)
        fixed (byte* b = blocks)
        {
            s_sha1(s, b, (nuint)(blocks.Length / 64));
        }
    }
}
