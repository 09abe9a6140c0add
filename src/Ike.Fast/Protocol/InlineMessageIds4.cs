using System.Runtime.CompilerServices;

namespace Ike.Fast.Protocol;

/// <summary>Inline storage for the first message IDs of <see cref="RecentMessageIds"/> (held in the SA, not in an array).</summary>
[InlineArray(RecentMessageIds.InlineCapacity)]
internal struct InlineMessageIds4
{
    private uint _element;
}
