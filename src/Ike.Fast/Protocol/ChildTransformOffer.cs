namespace Ike.Fast.Protocol;

/// <summary>One ESP/AH transform read from a Quick Mode SA payload (RFC 2407 §4.5 attributes).</summary>
internal struct ChildTransformOffer
{
    public byte ProposalNumber;
    public byte TransformNumber;
    public byte ProtocolId;
    public uint Spi;
    public byte TransformId;
    public int KeyBits;
    public int Auth;
    public int Group;
    public int Encapsulation;
    public long LifeSeconds;
    public long LifeKilobytes;
    public bool Unsupported;
    public int AttributesStart;
    public int AttributesLength;
}
