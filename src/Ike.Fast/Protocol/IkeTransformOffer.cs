namespace Ike.Fast.Protocol;

/// <summary>One KEY_IKE transform read from a peer's SA payload (RFC 2409 Appendix A attribute values).</summary>
internal struct IkeTransformOffer
{
    public byte ProposalNumber;
    public byte TransformNumber;
    public int Encryption;
    public int KeyBits;
    public int Hash;
    public int Group;
    public int Auth;
    public long LifeSeconds;
    public long LifeKilobytes;
    public bool Unsupported;

    /// <summary>Attribute bytes location within the SA body (to echo them unchanged in the reply, RFC 2409 §5).</summary>
    public int AttributesStart;
    public int AttributesLength;
}
