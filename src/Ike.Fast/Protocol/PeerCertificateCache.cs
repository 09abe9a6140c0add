using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ike.Fast.Protocol;

/// <summary>
/// Peer certificate chains that already validated (RFC 2409 §5.1, RFC 4945 §3), so a peer that presents the same CERT
/// payloads again is not rebuilt: with OpenSSL 3 a chain build (certificate parsing, key decoding, provider lookups)
/// costs several times the RSA signature check itself. One cache per <see cref="Endpoint"/> (single-threaded, no locks).
/// <para>
/// The key is SHA-256 over the trust anchors' identity (a SHA-256 of the configured CAs' DER bytes) and the DER bytes of
/// every X.509 CERT payload in order (end entity first), so a different certificate (even with the same subject), other
/// intermediates or another CA set miss; a reloaded configuration with other CAs therefore never hits an old entry.
/// The chain policy is fixed (custom trust store, no revocation, no downloads, see
/// <see cref="PeerCertificateValidator.TryValidate(IReadOnlyList{X509Certificate2}, X509Certificate2, IReadOnlyList{X509Certificate2}, DateTime, out string, out DateTime, out DateTime)"/>),
/// so its outcome depends only on the key and the verification time: an entry holds the chain's common validity
/// window (latest notBefore, earliest notAfter) and misses outside it. The signature of every message is still
/// verified, with the end entity's public key kept in the entry (no certificate parsing or key import per handshake).
/// </para>
/// <para>Bounded: <see cref="Capacity"/> entries, clock (second-chance) replacement; a hit allocates nothing.</para>
/// </summary>
internal sealed class PeerCertificateCache : IDisposable
{
    /// <summary>
    /// Entries per endpoint by default: up to this many distinct peer chains are recognised without a rebuild (an
    /// entry holds one parsed certificate and its public key, a few KiB of native memory).
    /// </summary>
    public const int DefaultCapacity = 1024;

    private const int DigestLength = 32;

    private readonly Entry?[] _slots;
    private readonly CertificateChainKey[] _keys;
    private readonly Dictionary<CertificateChainKey, int> _index;
    private int _hand;
    private int _count;

    // The last trust-anchor list seen and its digest: the same list (same certificates) is not hashed again.
    private IReadOnlyList<X509Certificate2>? _anchors;
    private X509Certificate2[] _anchorSnapshot = [];
    private readonly byte[] _anchorDigest = new byte[DigestLength];

    public PeerCertificateCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new Entry?[capacity];
        _keys = new CertificateChainKey[capacity];
        _index = [];
    }

    /// <summary>Most entries held.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Entries held now.</summary>
    public int Count => _count;

    /// <summary>Lookups that found a valid entry.</summary>
    public long Hits { get; private set; }

    /// <summary>Lookups that did not (absent, or outside the chain's validity window).</summary>
    public long Misses { get; private set; }

    /// <summary>
    /// The cache key of a chain: SHA-256(anchors digest || SHA-256(cert 0) || SHA-256(cert 1) ...), end entity first.
    /// </summary>
    public CertificateChainKey KeyOf(IReadOnlyList<X509Certificate2> trustAnchors, ReadOnlySpan<byte> source, ReadOnlySpan<(int Start, int Length)> certificates)
    {
        ArgumentNullException.ThrowIfNull(trustAnchors);
        Span<byte> material = stackalloc byte[DigestLength * 2];
        AnchorDigest(trustAnchors).CopyTo(material);
        Span<byte> digest = material[DigestLength..];
        foreach ((int start, int length) in certificates)
        {
            SHA256.HashData(source.Slice(start, length), digest);
            SHA256.HashData(material, material[..DigestLength]); // chained: h = H(h || H(cert))
        }

        return CertificateChainKey.From(material[..DigestLength]);
    }

    /// <summary>
    /// The entry for <paramref name="key"/> when it exists and <paramref name="time"/> is inside its validity window
    /// (the returned certificate and key stay owned by the cache: use them, never dispose them).
    /// </summary>
    public bool TryGet(in CertificateChainKey key, DateTime time, out X509Certificate2 endEntity, out RsaPublicKey publicKey)
    {
        if (_index.TryGetValue(key, out int slot) && _slots[slot] is { } e)
        {
            DateTime utc = time.ToUniversalTime();
            if (utc >= e.NotBefore && utc <= e.NotAfter)
            {
                e.Referenced = true;
                endEntity = e.EndEntity;
                publicKey = e.PublicKey;
                Hits++;
                return true;
            }

            // Expired (or not yet valid): rebuilt by the caller, whose result replaces this entry.
            Remove(slot);
        }

        Misses++;
        endEntity = null!;
        publicKey = null!;
        return false;
    }

    /// <summary>
    /// Stores a chain that just validated. The cache takes ownership of <paramref name="endEntity"/> and
    /// <paramref name="publicKey"/> (disposed on eviction).
    /// </summary>
    public void Add(in CertificateChainKey key, X509Certificate2 endEntity, RsaPublicKey publicKey, DateTime notBefore, DateTime notAfter)
    {
        ArgumentNullException.ThrowIfNull(endEntity);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (_index.TryGetValue(key, out int existing))
        {
            Remove(existing);
        }

        int slot = FreeSlot();
        _slots[slot] = new Entry(endEntity, publicKey, notBefore.ToUniversalTime(), notAfter.ToUniversalTime());
        _index[key] = slot;
        _keys[slot] = key;
        _count++;
    }

    /// <summary>Drops every entry (e.g. when the trust anchors were reloaded; different anchors miss anyway).</summary>
    public void Clear()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i] is not null)
            {
                Remove(i);
            }
        }

        _anchors = null;
        _anchorSnapshot = [];
    }

    public void Dispose() => Clear();

    /// <summary>A free slot, or the first one the clock hand finds unreferenced since its last pass (evicted).</summary>
    private int FreeSlot()
    {
        if (_count < _slots.Length)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                int s = (_hand + i) % _slots.Length;
                if (_slots[s] is null)
                {
                    return s;
                }
            }
        }

        while (true)
        {
            int s = _hand;
            _hand = (_hand + 1) % _slots.Length;
            Entry e = _slots[s]!;
            if (e.Referenced)
            {
                e.Referenced = false;
                continue;
            }

            Remove(s);
            return s;
        }
    }

    private void Remove(int slot)
    {
        if (_slots[slot] is not { } e)
        {
            return;
        }

        _index.Remove(_keys[slot]);
        _slots[slot] = null;
        _count--;
        e.PublicKey.Dispose();
        e.EndEntity.Dispose();
    }

    /// <summary>SHA-256 over the anchors' DER bytes (with their lengths), recomputed only when the list or a member changed.</summary>
    private ReadOnlySpan<byte> AnchorDigest(IReadOnlyList<X509Certificate2> anchors)
    {
        if (ReferenceEquals(anchors, _anchors) && anchors.Count == _anchorSnapshot.Length)
        {
            bool same = true;
            for (int i = 0; i < _anchorSnapshot.Length && same; i++)
            {
                same = ReferenceEquals(anchors[i], _anchorSnapshot[i]);
            }

            if (same)
            {
                return _anchorDigest;
            }
        }

        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (X509Certificate2 ca in anchors)
        {
            ReadOnlySpan<byte> der = ca.RawDataMemory.Span;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, der.Length);
            h.AppendData(length);
            h.AppendData(der);
        }

        h.GetHashAndReset(_anchorDigest);
        _anchors = anchors;
        _anchorSnapshot = [.. anchors];
        return _anchorDigest;
    }

    private sealed class Entry(X509Certificate2 endEntity, RsaPublicKey publicKey, DateTime notBefore, DateTime notAfter)
    {
        public X509Certificate2 EndEntity { get; } = endEntity;

        public RsaPublicKey PublicKey { get; } = publicKey;

        public DateTime NotBefore { get; } = notBefore;

        public DateTime NotAfter { get; } = notAfter;

        /// <summary>Set by a hit, cleared by the clock hand passing: an entry never hit since its last pass is evicted first.</summary>
        public bool Referenced { get; set; }
    }
}
