using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// What makes two IPsec SA pairs the "same" SA for rekeying: the connection and child names, the protocol and the
/// negotiated selectors. A new pair with the key of a live one is its successor or, when both were created at
/// once, its collision twin (docs/rekeying.md).
/// </summary>
internal readonly record struct ChildSaKey(string Connection, string Child, IpsecProtocol Protocol, TrafficSelector LocalTs, TrafficSelector RemoteTs)
{
    public static ChildSaKey Of(ChildSaInfo sa) => new(sa.Connection, sa.Child, sa.Protocol, sa.LocalTs, sa.RemoteTs);
}
