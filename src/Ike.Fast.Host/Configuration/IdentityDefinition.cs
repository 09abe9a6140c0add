using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Ike.Fast.Host.Configuration;

/// <summary>A configured identity: its RFC 2407 ID type and the text (for a DN, the canonical X.500 form).</summary>
public sealed record IdentityDefinition(IdentityType Type, string Value)
{
    public static IdentityDefinition Any { get; } = new(IdentityType.Any, "%any");

    /// <summary>The identity the engine would send for an address: ID_IPV4_ADDR / ID_IPV6_ADDR.</summary>
    public static IdentityDefinition FromAddress(IPAddress address) => new(
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IdentityType.Ipv6Address : IdentityType.Ipv4Address,
        address.ToString());

    /// <summary>Parses strongSwan's identity notation; <paramref name="error"/> names the problem on failure.</summary>
    public static bool TryParse(string text, out IdentityDefinition identity, out string error)
    {
        identity = Any;
        error = "";
        text = text.Trim();
        if (text.Length == 0)
        {
            error = "empty identity";
            return false;
        }

        if (text == "%any")
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            identity = FromAddress(address);
            return true;
        }

        if (text.Contains('='))
        {
            try
            {
                // Canonical form so that "C=XX, O=IkeFast" and "C=XX,O=IkeFast" compare equal.
                var dn = new X500DistinguishedName(text);
                identity = new IdentityDefinition(IdentityType.DerAsn1Dn, dn.Name);
                return true;
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                error = $"invalid distinguished name '{text}': {e.Message}";
                return false;
            }
        }

        if (text[0] == '@')
        {
            // strongSwan: "@name" forces ID_FQDN (no resolution).
            var name = text[1..];
            if (name.Length == 0)
            {
                error = "empty FQDN after '@'";
                return false;
            }

            identity = new IdentityDefinition(IdentityType.Fqdn, name);
            return true;
        }

        identity = text.Contains('@')
            ? new IdentityDefinition(IdentityType.UserFqdn, text)
            : new IdentityDefinition(IdentityType.Fqdn, text);
        return true;
    }

    public override string ToString() => Value;
}
