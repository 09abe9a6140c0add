namespace Ike.Fast.Wire;

/// <summary>Attribute payload message types of the Transaction exchange (draft-ietf-ipsec-isakmp-mode-cfg §3.2).</summary>
public enum ConfigurationType : byte
{
    Reserved = 0,
    Request = 1,
    Reply = 2,
    Set = 3,
    Acknowledge = 4,
}
