namespace Ike.Fast.Protocol.Transaction;

/// <summary>Cisco Unity Mode-Config attributes (private range, as strongSwan's unity plugin sends them).</summary>
internal enum UnityAttributeType : ushort
{
    /// <summary>Login banner (text).</summary>
    Banner = 28672,

    /// <summary>Split-include networks: 14-byte entries (address 4, mask 4, protocol 1, source port 2, destination port 2... sent as zeros).</summary>
    SplitInclude = 28676,
}
