using System.Runtime.CompilerServices;

namespace Ike.Fast.Protocol;

/// <summary>Inline storage for 32 bytes (<see cref="NonceCopy"/>: a nonce held in its record, not in an array).</summary>
[InlineArray(NonceCopy.InlineLength)]
internal struct InlineBytes32
{
    private byte _element;
}
