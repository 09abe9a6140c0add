namespace Ike.Fast.Wire;

/// <summary>Transform identifiers for PROTO_ISAKMP (RFC 2407 §4.4.2).</summary>
public enum IsakmpTransformId : byte
{
    Reserved = 0,
    KeyIke = 1,
}
