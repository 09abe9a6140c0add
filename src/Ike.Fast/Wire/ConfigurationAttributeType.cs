namespace Ike.Fast.Wire;

/// <summary>
/// Attribute classes of the Attribute payload (draft-ietf-ipsec-isakmp-mode-cfg-05 §3.2, XAUTH
/// draft-beaulieu-ike-xauth-02 §6.1). Unknown classes are preserved by the reader and writer.
/// </summary>
public enum ConfigurationAttributeType : ushort
{
    InternalIp4Address = 1,
    InternalIp4Netmask = 2,
    InternalIp4Dns = 3,
    InternalIp4Nbns = 4,
    InternalAddressExpiry = 5,
    InternalIp4Dhcp = 6,
    ApplicationVersion = 7,
    InternalIp6Address = 8,
    InternalIp6Netmask = 9,
    InternalIp6Dns = 10,
    InternalIp6Nbns = 11,
    InternalIp6Dhcp = 12,
    InternalIp4Subnet = 13,
    SupportedAttributes = 14,
    InternalIp6Subnet = 15,
    XauthType = 16520,
    XauthUserName = 16521,
    XauthUserPassword = 16522,
    XauthPasscode = 16523,
    XauthMessage = 16524,
    XauthChallenge = 16525,
    XauthDomain = 16526,
    XauthStatus = 16527,
    XauthNextPin = 16528,
    XauthAnswer = 16529,
}
