using Ike.Fast.Crypto;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Wire;
using IkeEncryptionAlgorithm = Ike.Fast.Crypto.IkeEncryptionAlgorithm;
using IkeHashAlgorithm = Ike.Fast.Crypto.IkeHashAlgorithm;

namespace Ike.Fast.Policy;

/// <summary>
/// Parses proposals in strongSwan's keyword syntax (swanctl.conf <c>proposals</c>, <c>esp_proposals</c>,
/// <c>ah_proposals</c>): dash-separated keywords, each an encryption, integrity/hash or DH group algorithm. Every
/// combination of the named algorithms becomes one IKEv1 transform, in the order written (the order is the local
/// preference). Configuration errors throw <see cref="ProposalFormatException"/> naming the keyword. Single DES is
/// refused; MODP-768/1024 (groups 1 and 2) are only accepted because they are named explicitly here.
/// </summary>
public static class ProposalParser
{
    /// <summary>An IKE proposal, e.g. <c>aes128-sha256-modp2048</c>.</summary>
    public static IReadOnlyList<IkeProposal> ParseIke(string proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var ciphers = new List<(IkeEncryptionAlgorithm, int)>();
        var hashes = new List<IkeHashAlgorithm>();
        var groups = new List<DhGroupId>();
        foreach (string keyword in Split(proposal))
        {
            if (TryIkeCipher(keyword, out IkeEncryptionAlgorithm alg, out int bits))
            {
                ciphers.Add((alg, bits));
            }
            else if (TryHash(keyword, out IkeHashAlgorithm hash))
            {
                hashes.Add(hash);
            }
            else if (TryGroup(keyword, out DhGroupId group))
            {
                groups.Add(group);
            }
            else
            {
                throw Refuse(proposal, keyword);
            }
        }

        Require(proposal, ciphers.Count, "an encryption algorithm");
        Require(proposal, hashes.Count, "a hash algorithm");
        Require(proposal, groups.Count, "a Diffie-Hellman group");
        var result = new List<IkeProposal>();
        foreach ((IkeEncryptionAlgorithm alg, int bits) in ciphers)
        {
            foreach (IkeHashAlgorithm hash in hashes)
            {
                foreach (DhGroupId group in groups)
                {
                    result.Add(new IkeProposal(alg, bits, hash, group));
                }
            }
        }

        return result;
    }

    /// <summary>An ESP proposal, e.g. <c>aes128-sha256</c>, <c>aes128gcm16</c>, <c>aes128-sha256-modp2048</c> (PFS).</summary>
    public static IReadOnlyList<ChildProposal> ParseEsp(string proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var ciphers = new List<(EspTransformId, int)>();
        var integrity = new List<IpsecAuthenticationAlgorithm>();
        var groups = new List<DhGroupId>();
        foreach (string keyword in Split(proposal))
        {
            if (TryEspCipher(keyword, out EspTransformId id, out int bits))
            {
                ciphers.Add((id, bits));
            }
            else if (TryIntegrity(keyword, out IpsecAuthenticationAlgorithm auth))
            {
                integrity.Add(auth);
            }
            else if (TryGroup(keyword, out DhGroupId group))
            {
                groups.Add(group);
            }
            else if (keyword is "noesn")
            {
                // IKEv1 has no ESN negotiation in Quick Mode attributes that we offer; "noesn" is the default.
            }
            else
            {
                throw Refuse(proposal, keyword);
            }
        }

        Require(proposal, ciphers.Count, "an encryption algorithm");
        var result = new List<ChildProposal>();
        foreach ((EspTransformId id, int bits) in ciphers)
        {
            bool aead = id is EspTransformId.AesGcm8 or EspTransformId.AesGcm12 or EspTransformId.AesGcm16;
            if (aead && integrity.Count > 0)
            {
                throw new ProposalFormatException(proposal, Format(integrity[0]), "is not allowed with a combined-mode (GCM) cipher");
            }

            if (!aead && integrity.Count == 0)
            {
                throw new ProposalFormatException(proposal, proposal, "needs an integrity algorithm (e.g. sha256) for a non-GCM cipher");
            }

            IEnumerable<IpsecAuthenticationAlgorithm?> auths = aead ? [null] : integrity.Select(a => (IpsecAuthenticationAlgorithm?)a);
            IEnumerable<DhGroupId?> pfs = groups.Count == 0 ? [null] : groups.Select(g => (DhGroupId?)g);
            foreach (IpsecAuthenticationAlgorithm? auth in auths)
            {
                foreach (DhGroupId? group in pfs)
                {
                    result.Add(new ChildProposal(IpsecProtocol.Esp, id, bits, auth, group));
                }
            }
        }

        return result;
    }

    /// <summary>An AH proposal, e.g. <c>sha256</c> or <c>sha256-modp2048</c>.</summary>
    public static IReadOnlyList<ChildProposal> ParseAh(string proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var integrity = new List<IpsecAuthenticationAlgorithm>();
        var groups = new List<DhGroupId>();
        foreach (string keyword in Split(proposal))
        {
            if (TryIntegrity(keyword, out IpsecAuthenticationAlgorithm auth))
            {
                integrity.Add(auth);
            }
            else if (TryGroup(keyword, out DhGroupId group))
            {
                groups.Add(group);
            }
            else
            {
                throw Refuse(proposal, keyword);
            }
        }

        Require(proposal, integrity.Count, "an integrity algorithm");
        var result = new List<ChildProposal>();
        foreach (IpsecAuthenticationAlgorithm auth in integrity)
        {
            if (groups.Count == 0)
            {
                result.Add(new ChildProposal(IpsecProtocol.Ah, 0, 0, auth, null));
            }

            foreach (DhGroupId group in groups)
            {
                result.Add(new ChildProposal(IpsecProtocol.Ah, 0, 0, auth, group));
            }
        }

        return result;
    }

    /// <summary>The keyword form of an IKE proposal.</summary>
    public static string Format(IkeProposal p)
    {
        ArgumentNullException.ThrowIfNull(p);
        string cipher = p.Encryption == IkeEncryptionAlgorithm.TripleDesCbc ? "3des" : $"aes{p.KeyLengthBits}";
        string hash = p.Hash switch
        {
            IkeHashAlgorithm.Md5 => "md5",
            IkeHashAlgorithm.Sha1 => "sha1",
            IkeHashAlgorithm.Sha256 => "sha256",
            IkeHashAlgorithm.Sha384 => "sha384",
            _ => "sha512",
        };
        return $"{cipher}-{hash}-{Format(p.Group)}";
    }

    /// <summary>The keyword form of a child proposal.</summary>
    public static string Format(ChildProposal p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var parts = new List<string>();
        if (p.Protocol == IpsecProtocol.Esp)
        {
            parts.Add(p.EspTransform switch
            {
                EspTransformId.TripleDes => "3des",
                EspTransformId.AesCbc => $"aes{p.KeyLengthBits}",
                EspTransformId.AesCtr => $"aes{p.KeyLengthBits}ctr",
                EspTransformId.AesGcm8 => $"aes{p.KeyLengthBits}gcm8",
                EspTransformId.AesGcm12 => $"aes{p.KeyLengthBits}gcm12",
                EspTransformId.AesGcm16 => $"aes{p.KeyLengthBits}gcm16",
                _ => p.EspTransform.ToString(),
            });
        }

        if (p.Integrity is { } auth)
        {
            parts.Add(Format(auth));
        }

        if (p.PfsGroup is { } g)
        {
            parts.Add(Format(g));
        }

        return string.Join('-', parts);
    }

    private static string Format(IpsecAuthenticationAlgorithm a) => a switch
    {
        IpsecAuthenticationAlgorithm.HmacMd5 => "md5",
        IpsecAuthenticationAlgorithm.HmacSha1 => "sha1",
        IpsecAuthenticationAlgorithm.HmacSha2_256 => "sha256",
        IpsecAuthenticationAlgorithm.HmacSha2_384 => "sha384",
        IpsecAuthenticationAlgorithm.HmacSha2_512 => "sha512",
        _ => a.ToString(),
    };

    private static string Format(DhGroupId g) => g switch
    {
        DhGroupId.Modp768 => "modp768",
        DhGroupId.Modp1024 => "modp1024",
        DhGroupId.Modp1536 => "modp1536",
        DhGroupId.Modp2048 => "modp2048",
        DhGroupId.Modp3072 => "modp3072",
        DhGroupId.Modp4096 => "modp4096",
        DhGroupId.Modp6144 => "modp6144",
        DhGroupId.Modp8192 => "modp8192",
        DhGroupId.Ecp256 => "ecp256",
        DhGroupId.Ecp384 => "ecp384",
        DhGroupId.Ecp521 => "ecp521",
        _ => "curve25519",
    };

    private static string[] Split(string proposal) =>
        proposal.Trim().ToLowerInvariant().Split('-', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void Require(string proposal, int count, string what)
    {
        if (count == 0)
        {
            throw new ProposalFormatException(proposal, proposal, $"lacks {what}");
        }
    }

    private static ProposalFormatException Refuse(string proposal, string keyword) => keyword switch
    {
        "des" or "des64" or "des32" => new ProposalFormatException(proposal, keyword, "names single DES, which is refused (56-bit key)"),
        "null" => new ProposalFormatException(proposal, keyword, "names NULL encryption, which is refused"),
        _ => new ProposalFormatException(proposal, keyword, "is not a known algorithm keyword"),
    };

    private static bool TryIkeCipher(string k, out IkeEncryptionAlgorithm alg, out int bits)
    {
        alg = IkeEncryptionAlgorithm.AesCbc;
        switch (k)
        {
            case "aes128" or "aes":
                bits = 128;
                return true;
            case "aes192":
                bits = 192;
                return true;
            case "aes256":
                bits = 256;
                return true;
            case "3des":
                alg = IkeEncryptionAlgorithm.TripleDesCbc;
                bits = 0;
                return true;
            default:
                bits = 0;
                return false;
        }
    }

    private static bool TryEspCipher(string k, out EspTransformId id, out int bits)
    {
        id = EspTransformId.AesCbc;
        bits = 0;
        if (k == "3des")
        {
            id = EspTransformId.TripleDes;
            return true;
        }

        if (!k.StartsWith("aes", StringComparison.Ordinal))
        {
            return false;
        }

        string rest = k[3..];
        int digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }

        bits = digits == 0 ? 128 : int.Parse(rest.AsSpan(0, digits), System.Globalization.CultureInfo.InvariantCulture);
        if (bits is not (128 or 192 or 256))
        {
            return false;
        }

        switch (rest[digits..])
        {
            case "":
                id = EspTransformId.AesCbc;
                return true;
            case "ctr":
                id = EspTransformId.AesCtr;
                return true;
            case "gcm8":
                id = EspTransformId.AesGcm8;
                return true;
            case "gcm12":
                id = EspTransformId.AesGcm12;
                return true;
            case "gcm16" or "gcm128":
                id = EspTransformId.AesGcm16;
                return true;
            default:
                return false;
        }
    }

    private static bool TryHash(string k, out IkeHashAlgorithm hash)
    {
        hash = k switch
        {
            "md5" => IkeHashAlgorithm.Md5,
            "sha1" or "sha" => IkeHashAlgorithm.Sha1,
            "sha256" or "sha2_256" => IkeHashAlgorithm.Sha256,
            "sha384" or "sha2_384" => IkeHashAlgorithm.Sha384,
            "sha512" or "sha2_512" => IkeHashAlgorithm.Sha512,
            _ => IkeHashAlgorithm.None,
        };
        return hash != IkeHashAlgorithm.None;
    }

    private static bool TryIntegrity(string k, out IpsecAuthenticationAlgorithm auth)
    {
        IpsecAuthenticationAlgorithm? a = k switch
        {
            "md5" => IpsecAuthenticationAlgorithm.HmacMd5,
            "sha1" or "sha" => IpsecAuthenticationAlgorithm.HmacSha1,
            "sha256" or "sha2_256" => IpsecAuthenticationAlgorithm.HmacSha2_256,
            "sha384" or "sha2_384" => IpsecAuthenticationAlgorithm.HmacSha2_384,
            "sha512" or "sha2_512" => IpsecAuthenticationAlgorithm.HmacSha2_512,
            _ => null,
        };
        auth = a ?? default;
        return a is not null;
    }

    private static bool TryGroup(string k, out DhGroupId group)
    {
        DhGroupId? g = k switch
        {
            "modp768" => DhGroupId.Modp768,
            "modp1024" => DhGroupId.Modp1024,
            "modp1536" => DhGroupId.Modp1536,
            "modp2048" => DhGroupId.Modp2048,
            "modp3072" => DhGroupId.Modp3072,
            "modp4096" => DhGroupId.Modp4096,
            "modp6144" => DhGroupId.Modp6144,
            "modp8192" => DhGroupId.Modp8192,
            "ecp256" => DhGroupId.Ecp256,
            "ecp384" => DhGroupId.Ecp384,
            "ecp521" => DhGroupId.Ecp521,
            "x25519" or "curve25519" => DhGroupId.Curve25519,
            _ => null,
        };
        group = g ?? default;
        return g is not null;
    }
}
