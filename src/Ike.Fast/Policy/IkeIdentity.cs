using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ike.Fast.Wire;

namespace Ike.Fast.Policy;

/// <summary>
/// A Phase 1 identity (RFC 2407 §4.6.2 ID types). Parsed from strongSwan's identity syntax: an IP address →
/// ID_IPV4_ADDR/ID_IPV6_ADDR, <c>user@host</c> → ID_USER_FQDN, <c>@host</c> or a dotted name → ID_FQDN,
/// <c>C=.., O=.., CN=..</c> → ID_DER_ASN1_DN, <c>@#hex</c> or <c>keyid:hex</c> → ID_KEY_ID. Prefixes
/// <c>fqdn:</c>, <c>email:</c>/<c>userfqdn:</c>, <c>asn1dn:</c>, <c>keyid:</c>, <c>ipv4:</c>/<c>ipv6:</c> force a type.
/// Distinguished names are encoded in the order written and printed in DER order, as strongSwan does.
/// </summary>
public sealed class IkeIdentity : IEquatable<IkeIdentity>
{
    private readonly byte[] _data;

    /// <summary>An identity of the given type and encoded data (the ID payload's Identification Data).</summary>
    public IkeIdentity(IdentificationType type, ReadOnlySpan<byte> data)
    {
        Type = type;
        _data = data.ToArray();
    }

    /// <summary>The RFC 2407 ID type.</summary>
    public IdentificationType Type { get; }

    /// <summary>The Identification Data as carried on the wire.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>An address identity.</summary>
    public static IkeIdentity FromAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return new IkeIdentity(address.AddressFamily == AddressFamily.InterNetwork ? IdentificationType.Ipv4Address : IdentificationType.Ipv6Address,
            address.GetAddressBytes());
    }

    /// <summary>Parses strongSwan identity syntax (see the type summary).</summary>
    public static IkeIdentity Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && !IPAddress.TryParse(text, out _))
        {
            string prefix = text[..colon].ToLowerInvariant();
            string value = text[(colon + 1)..];
            switch (prefix)
            {
                case "fqdn":
                    return new IkeIdentity(IdentificationType.Fqdn, Encoding.ASCII.GetBytes(value));
                case "email" or "userfqdn" or "rfc822":
                    return new IkeIdentity(IdentificationType.UserFqdn, Encoding.ASCII.GetBytes(value));
                case "asn1dn":
                    return new IkeIdentity(IdentificationType.DerAsn1Dn, EncodeDistinguishedName(value));
                case "keyid":
                    return new IkeIdentity(IdentificationType.KeyId, Convert.FromHexString(value.Replace("#", "", StringComparison.Ordinal)));
                case "ipv4" or "ipv6":
                    return FromAddress(IPAddress.Parse(value));
            }
        }

        if (IPAddress.TryParse(text, out IPAddress? address))
        {
            return FromAddress(address);
        }

        if (text.StartsWith("@#", StringComparison.Ordinal))
        {
            return new IkeIdentity(IdentificationType.KeyId, Convert.FromHexString(text[2..]));
        }

        if (text.StartsWith('@'))
        {
            return new IkeIdentity(IdentificationType.Fqdn, Encoding.ASCII.GetBytes(text[1..]));
        }

        if (text.Contains('=', StringComparison.Ordinal))
        {
            return new IkeIdentity(IdentificationType.DerAsn1Dn, EncodeDistinguishedName(text));
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            return new IkeIdentity(IdentificationType.UserFqdn, Encoding.ASCII.GetBytes(text));
        }

        return new IkeIdentity(IdentificationType.Fqdn, Encoding.ASCII.GetBytes(text));
    }

    /// <summary>
    /// strongSwan semantics: the RDNs are encoded in the order written ("C=XX, O=Org, CN=host" puts C first, as in
    /// certificates made by openssl or pki), unlike .NET's default string parsing, which reverses them.
    /// </summary>
    private static byte[] EncodeDistinguishedName(string text) =>
        new X500DistinguishedName(text.Trim(), X500DistinguishedNameFlags.None).RawData;

    /// <summary>True when a received ID payload carries exactly this identity.</summary>
    public bool Matches(IdentificationType type, ReadOnlySpan<byte> data) =>
        type == Type && data.SequenceEqual(_data);

    /// <inheritdoc/>
    public bool Equals(IkeIdentity? other) => other is not null && Matches(other.Type, other._data);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as IkeIdentity);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Type);
        h.AddBytes(_data);
        return h.ToHashCode();
    }

    /// <summary>Human-readable form.</summary>
    public override string ToString() => Type switch
    {
        IdentificationType.Ipv4Address or IdentificationType.Ipv6Address => new IPAddress(_data).ToString(),
        IdentificationType.Fqdn => Encoding.ASCII.GetString(_data),
        IdentificationType.UserFqdn => Encoding.ASCII.GetString(_data),
        IdentificationType.DerAsn1Dn => new X500DistinguishedName(_data).Decode(X500DistinguishedNameFlags.None),
        IdentificationType.KeyId => "@#" + Convert.ToHexStringLower(_data),
        _ => $"{Type}:{Convert.ToHexStringLower(_data)}",
    };
}
