using System.Numerics;
using System.Security.Cryptography;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.LoadTest;

/// <summary>
/// The load generator's Diffie-Hellman engine by default: one key pair per group for the whole run, reused by every
/// synthetic peer's Phase 1 (and PFS Quick Mode). A synthetic peer is a load generator, not a security device, so it
/// may skip what a real initiator must not: a fresh private value per exchange (RFC 2409 §5 asks for ephemeral
/// keys). The responder still does its full work (its own fresh pair and g^xy per handshake) and the generator still
/// computes g^xy and verifies every hash and signature, so every handshake is checked end to end; only the
/// generator's own key generation (a full modular exponentiation for MODP) is saved, and for MODP the exponent is
/// short (<see cref="ReusedExponentBytes"/>), so the generator's g^xy costs a fraction of the responder's.
/// <c>--fresh-dh</c> turns this off (fresh pairs with the engine's exponent policy).
/// <para>
/// Every key pair handed out is a fresh single-use <see cref="DhPrivateKey"/> holding a copy (not pinned: see <see cref="TryReuse"/>) of the run's
/// private value: the engine consumes (and wipes) it as usual, and the template is wiped on <see cref="Dispose"/>.
/// Shared secrets go to the wrapped engine unchanged. Curve keys are raw scalars, which only
/// <see cref="BatchedDhEngine"/> accepts (its lanes or its scalar import), so behind the synchronous
/// <see cref="ScalarDhEngine"/> only MODP pairs are reused.
/// </para>
/// </summary>
internal sealed class ReusedKeyPairDhEngine : IDhEngine, IDisposable
{
    private const int MaxGroupId = 64;

    /// <summary>
    /// Length of the reused MODP private exponent: 32 bits. The kernels then use a 3-bit window, about 50
    /// multiplications for g^xy instead of about 340 for a 256-bit exponent (the responder's default). A load
    /// generator's key protects nothing (the pair is reused for the whole run anyway); what matters is that the
    /// responder cannot tell its public value from any other, and does all of its own work.
    /// </summary>
    internal const int ReusedExponentBytes = 4;

    private readonly IDhEngine _inner;
    private readonly bool _rawCurveKeys;
    private readonly (byte[] Private, byte[] Public)?[] _templates = new (byte[] Private, byte[] Public)?[MaxGroupId];
    private readonly bool[] _unsupported = new bool[MaxGroupId];
    private long _reused;

    public ReusedKeyPairDhEngine(IDhEngine inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _rawCurveKeys = inner is BatchedDhEngine;
    }

    /// <summary>The wrapped engine (shared secrets, and key pairs of groups not reused).</summary>
    public IDhEngine Inner => _inner;

    /// <summary>Key pairs served from the run's template (counter; read racily).</summary>
    public long ReusedKeyPairs => Interlocked.Read(ref _reused);

    /// <inheritdoc/>
    public bool CanDefer => _inner.CanDefer;

    /// <inheritdoc/>
    public DhResult Execute(in DhRequest request) =>
        request.Operation == DhOperation.GenerateKeyPair && TryReuse(request.Group, request.Destination.Span, out DhResult reused)
            ? reused
            : _inner.Execute(request);

    /// <inheritdoc/>
    public ValueTask<DhResult> ExecuteAsync(DhRequest request, CancellationToken cancellationToken = default) =>
        request.Operation == DhOperation.GenerateKeyPair && TryReuse(request.Group, request.Destination.Span, out DhResult reused)
            ? ValueTask.FromResult(reused)
            : _inner.ExecuteAsync(request, cancellationToken);

    /// <inheritdoc/>
    public bool Submit(in DhRequest request, IDhCompletionSink sink, long token, out DhResult result)
    {
        if (request.Operation == DhOperation.GenerateKeyPair && TryReuse(request.Group, request.Destination.Span, out result))
        {
            return true;
        }

        return _inner.Submit(request, sink, token, out result);
    }

    /// <summary>A single-use copy of the group's run key pair, made on first use; false for a group not reused.</summary>
    private bool TryReuse(DhGroupId id, Span<byte> publicValueDestination, out DhResult result)
    {
        result = default;
        int index = (int)id;
        if ((uint)index >= MaxGroupId || _unsupported[index] || !DhGroupRegistry.TryGet(id, out DhGroup? group))
        {
            return false;
        }

        if (_templates[index] is not { } template)
        {
            if (CreateTemplate(group) is not { } created)
            {
                _unsupported[index] = true;
                return false;
            }

            _templates[index] = template = created;
        }

        if (publicValueDestination.Length < template.Public.Length)
        {
            return false; // the wrapped engine reports the error
        }

        // Not pinned: a pinned allocation takes the runtime's slow path (~0.7 µs per key pair on the generator thread),
        // and pinning keeps the GC from leaving copies of a secret, which the run's reused value is not (the template
        // itself lives for the whole run). The engine only reads it through spans (the batch worker copies it).
        byte[] copy = new byte[template.Private.Length];
        template.Private.CopyTo(copy, 0);
        DhPrivateKey key = group.Kind == DhGroupKind.Modp
            ? DhPrivateKey.ForModp(group, copy, template.Public)
            : DhPrivateKey.ForScalar(group, copy, template.Public);
        template.Public.CopyTo(publicValueDestination);
        Interlocked.Increment(ref _reused);
        result = new DhResult(DhStatus.Success, template.Public.Length, key);
        return true;
    }

    /// <summary>
    /// The run's pair: MODP a random 32-bit exponent and g^x computed once here, X25519 a random scalar (clamped by X25519
    /// itself, RFC 7748 §5), NIST curves a .NET key's d and x || y (RFC 5903 §7); null where reuse is not possible.
    /// </summary>
    private (byte[] Private, byte[] Public)? CreateTemplate(DhGroup group)
    {
        switch (group.Kind)
        {
            case DhGroupKind.Modp when group.Modp is { } modp:
            {
                // A short exponent (ReusedExponentBytes): the generator's g^xy costs that many squarings, not the
                // responder's 256+ (the batched kernels' work follows the exponent's length). Its top bit is set so
                // that g^x = 2^x mod p wraps around p and looks like any other public value (RFC 2409 §5).
                byte[] exponent = GC.AllocateArray<byte>(ReusedExponentBytes, pinned: true);
                RandomNumberGenerator.Fill(exponent);
                exponent[0] |= 0x80;
                var p = new BigInteger(modp.PrimeBytes, isUnsigned: true, isBigEndian: true);
                var x = new BigInteger(exponent, isUnsigned: true, isBigEndian: true);
                BigInteger y = BigInteger.ModPow(ModpGroup.Generator, x, p);
                byte[] publicValue = new byte[group.PublicValueLength];
                y.TryWriteBytes(publicValue.AsSpan(publicValue.Length - y.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
                if (!ModpKeyExchange.IsValidPublicValue(modp, publicValue))
                {
                    CryptographicOperations.ZeroMemory(exponent);
                    return null;
                }

                return (exponent, publicValue);
            }

            case DhGroupKind.Curve25519 when _rawCurveKeys:
            {
                byte[] scalar = GC.AllocateArray<byte>(32, pinned: true);
                RandomNumberGenerator.Fill(scalar);
                using DhPrivateKey key = Curve25519KeyExchange.FromKnownPrivateKey(group, scalar);
                return (scalar, key.PublicValue.ToArray());
            }

            case DhGroupKind.Ecp when _rawCurveKeys && group.CurveName is { } curveName:
            {
                using var ecdh = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(curveName));
                ECParameters p = ecdh.ExportParameters(includePrivateParameters: true);
                int c = group.SharedSecretLength;
                byte[] d = GC.AllocateArray<byte>(c, pinned: true);
                p.D.AsSpan().CopyTo(d.AsSpan(c - p.D!.Length));
                CryptographicOperations.ZeroMemory(p.D);
                byte[] publicValue = new byte[2 * c];
                p.Q.X.AsSpan().CopyTo(publicValue.AsSpan(c - p.Q.X!.Length, p.Q.X.Length));
                p.Q.Y.AsSpan().CopyTo(publicValue.AsSpan(2 * c - p.Q.Y!.Length));
                return (d, publicValue);
            }

            default:
                return null;
        }
    }

    public void Dispose()
    {
        foreach ((byte[] Private, byte[] Public)? t in _templates)
        {
            if (t is { } template)
            {
                CryptographicOperations.ZeroMemory(template.Private);
            }
        }

        Array.Clear(_templates);
        (_inner as IDisposable)?.Dispose();
    }
}
