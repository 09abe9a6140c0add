namespace Ike.Native;

internal static partial class Interop
{
    internal static class Libraries
    {
        /// <summary>libikefast_native.so, built from native/ by the CMake step of this project's build.</summary>
        internal const string IkeFastNative = "ikefast_native";
    }
}
