using System.Runtime.CompilerServices;

namespace Ike.Fast.Protocol;

/// <summary>
/// Inline storage for one cipher block (16 bytes: AES and Camellia; 3DES and Blowfish use the first 8): the last
/// Phase 1 CBC block an ISAKMP SA keeps as the seed of every Phase 2 IV (RFC 2409 Appendix B), held in the SA
/// instead of a 16-byte array (40 B with its header and reference; issue #7).
/// </summary>
[InlineArray(16)]
internal struct CipherBlock16
{
    private byte _element;
}
