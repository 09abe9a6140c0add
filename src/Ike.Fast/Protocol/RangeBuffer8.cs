using System.Runtime.CompilerServices;

namespace Ike.Fast.Protocol;

/// <summary>Inline storage for up to eight payload locations (no allocation per message).</summary>
[InlineArray(8)]
internal struct RangeBuffer8
{
    private (int Start, int Length) _element;
}
