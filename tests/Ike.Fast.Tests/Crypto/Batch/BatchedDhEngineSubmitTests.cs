using System.Security.Cryptography;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.Ecc;
using Ike.Native.ModExp;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// <see cref="BatchedDhEngine.Submit"/>, the sans-IO path the endpoint uses: MODP shared secrets and the curves
/// (X25519 and P-256 key pairs and shared secrets) on the 8-lane kernels come back through a
/// <see cref="DhCompletionQueue"/> bit-identical to the scalar engine, NSec (libsodium) and .NET ECDH, with every batch
/// fill from 1 to 8 lanes; rejected peer values come back as INVALID-KEY-INFORMATION.
/// </summary>
public class BatchedDhEngineSubmitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void ModpSharedSecrets_ComeBackThroughTheQueue_EqualToScalar()
    {
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance, batchOptions: new ModExpBatchOptions { NativeFactory = IfmaModExpKernelFactory.Instance });
        var scalar = new ScalarDhEngine();
        Assert.True(((IDhEngine)engine).CanDefer);
        for (int fill = 1; fill <= 8; fill++)
        {
            var queue = new DhCompletionQueue();
            var expected = new byte[fill][];
            var actual = new byte[fill][];
            int deferred = 0;
            for (int i = 0; i < fill; i++)
            {
                DhPrivateKey ours = Modp(engine);
                byte[] peer = new byte[256];
                using DhPrivateKey peerKey = scalar.GenerateKeyPair(DhGroupId.Modp2048, peer).PrivateKey!;
                expected[i] = new byte[256];
                Assert.True(scalar.ComputeSharedSecret(CloneOf(ours), peer, expected[i]).IsSuccess);
                actual[i] = new byte[256];
                if (!engine.Submit(DhRequest.ComputeShared(ours, peer, actual[i]), queue, i, out DhResult now))
                {
                    deferred++;
                }
                else
                {
                    Assert.True(now.IsSuccess);
                }
            }

            Drain(queue, deferred, (token, r) => Assert.True(r.IsSuccess && r.BytesWritten == 256, $"lane {token}"));
            for (int i = 0; i < fill; i++)
            {
                Assert.Equal(expected[i], actual[i]);
            }
        }

        Assert.True(engine.BatchedRequests > 0);
        Assert.Equal(0, engine.InFlight);
    }

    [IfmaEcdhFact]
    public void X25519_KeyPairsAndSharedSecrets_EqualNSec_EveryFill()
    {
        var scalars = new Queue<byte[]>();
        var random = new DelegateDhRandomSource(b =>
        {
            RandomNumberGenerator.Fill(b);
            scalars.Enqueue((byte[])b.Clone());
        });
        using var engine = new BatchedDhEngine(random, batchOptions: new ModExpBatchOptions { EcdhFactory = IfmaEcdhKernelFactory.Instance }, pooledGroups: []);
        Assert.True(engine.BatchesCurve(DhGroupId.Curve25519));
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Curve25519);
        for (int fill = 1; fill <= 8; fill++)
        {
            // Key pairs: fill lanes of scalar * 9, then compare with NSec on the same scalars (RFC 7748 §6.1).
            var queue = new DhCompletionQueue();
            var publics = new byte[fill][];
            scalars.Clear();
            for (int i = 0; i < fill; i++)
            {
                publics[i] = new byte[32];
                Assert.False(engine.Submit(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, publics[i]), queue, i, out _));
            }

            byte[][] drawn = [.. scalars];
            var keys = new DhPrivateKey[fill];
            Drain(queue, fill, (token, r) =>
            {
                Assert.True(r.IsSuccess);
                keys[token] = r.PrivateKey!;
            });
            for (int i = 0; i < fill; i++)
            {
                using DhPrivateKey reference = Curve25519KeyExchange.FromKnownPrivateKey(group, drawn[i]);
                Assert.Equal(reference.PublicValue.ToArray(), publics[i]);
                Assert.Equal(publics[i], keys[i].PublicValue.ToArray());
            }

            // Shared secrets against NSec peers.
            var shared = new byte[fill][];
            var expected = new byte[fill][];
            for (int i = 0; i < fill; i++)
            {
                byte[] peerScalar = RandomNumberGenerator.GetBytes(32);
                using DhPrivateKey peer = Curve25519KeyExchange.FromKnownPrivateKey(group, peerScalar);
                expected[i] = new byte[32];
                using DhPrivateKey mine = Curve25519KeyExchange.FromKnownPrivateKey(group, drawn[i]);
                Assert.Equal(DhStatus.Success, Curve25519KeyExchange.ComputeShared(mine, peer.PublicValue, expected[i]));
                shared[i] = new byte[32];
                Assert.False(engine.Submit(DhRequest.ComputeShared(keys[i], peer.PublicValue.ToArray(), shared[i]), queue, i, out _));
                Assert.True(keys[i].IsConsumed); // single use from the moment it is queued
            }

            Drain(queue, fill, (token, r) => Assert.True(r.IsSuccess && r.BytesWritten == 32));
            for (int i = 0; i < fill; i++)
            {
                Assert.Equal(expected[i], shared[i]);
            }
        }
    }

    [IfmaEcdhFact]
    public void X25519_LowOrderPeerPoint_IsInvalidKeyInformation()
    {
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance, batchOptions: new ModExpBatchOptions { EcdhFactory = IfmaEcdhKernelFactory.Instance }, pooledGroups: []);
        var queue = new DhCompletionQueue();
        byte[] ours = new byte[32];
        Assert.False(engine.Submit(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, ours), queue, 0, out _));
        DhPrivateKey? key = null;
        Drain(queue, 1, (_, r) => key = r.PrivateKey);
        byte[] zero = new byte[32]; // u = 0: order 4, the product is all zeros (RFC 7748 §6.1)
        Assert.False(engine.Submit(DhRequest.ComputeShared(key!, zero, new byte[32]), queue, 1, out _));
        Drain(queue, 1, (_, r) => Assert.Equal(DhStatus.InvalidKeyInformation, r.Status));
        Assert.True(engine.Submit(DhRequest.ComputeShared(key!, new byte[31], new byte[32]), queue, 2, out DhResult shortValue));
        Assert.NotEqual(DhStatus.Success, shortValue.Status);
    }

    [IfmaEcdhFact]
    public void P256_SharedSecrets_EqualDotNetEcdh_EveryFill_AndOffCurveIsRejected()
    {
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance, batchOptions: new ModExpBatchOptions { EcdhFactory = IfmaEcdhKernelFactory.Instance }, pooledGroups: []);
        Assert.True(engine.BatchesCurve(DhGroupId.Ecp256));
        var scalar = new ScalarDhEngine();
        for (int fill = 1; fill <= 8; fill++)
        {
            var queue = new DhCompletionQueue();
            var shared = new byte[fill][];
            var expected = new byte[fill][];
            for (int i = 0; i < fill; i++)
            {
                byte[] ours = new byte[64];
                DhPrivateKey key = engine.GenerateKeyPair(DhGroupId.Ecp256, ours).PrivateKey!; // .NET: x || y needed
                byte[] peer = new byte[64];
                using DhPrivateKey peerKey = scalar.GenerateKeyPair(DhGroupId.Ecp256, peer).PrivateKey!;
                expected[i] = new byte[32];
                Assert.True(scalar.ComputeSharedSecret(peerKey, ours, expected[i]).IsSuccess); // g^xy from the peer's side
                shared[i] = new byte[32];
                Assert.False(engine.Submit(DhRequest.ComputeShared(key, peer, shared[i]), queue, i, out _));
            }

            Drain(queue, fill, (_, r) => Assert.True(r.IsSuccess));
            for (int i = 0; i < fill; i++)
            {
                Assert.Equal(expected[i], shared[i]);
            }
        }

        var q = new DhCompletionQueue();
        DhPrivateKey k = engine.GenerateKeyPair(DhGroupId.Ecp256, new byte[64]).PrivateKey!;
        byte[] offCurve = new byte[64];
        offCurve[31] = 1;
        offCurve[63] = 1; // (1, 1) is not on P-256
        Assert.False(engine.Submit(DhRequest.ComputeShared(k, offCurve, new byte[32]), q, 0, out _));
        Drain(q, 1, (_, r) => Assert.Equal(DhStatus.InvalidKeyInformation, r.Status));
    }

    [IfmaEcdhFact]
    public void X25519Pool_PairsEqualNSec_AndTheirSharedSecretsToo()
    {
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance,
            batchOptions: new ModExpBatchOptions { EcdhFactory = IfmaEcdhKernelFactory.Instance }, pooledGroups: [DhGroupId.Curve25519], poolCapacity: 16);
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Curve25519);
        var spin = System.Diagnostics.Stopwatch.StartNew();
        while (engine.PooledAvailable(DhGroupId.Curve25519) < 8)
        {
            Assert.True(spin.Elapsed < Patience, "the pool never filled");
            Thread.Sleep(1);
        }

        var queue = new DhCompletionQueue();
        for (int i = 0; i < 8; i++)
        {
            byte[] pub = new byte[32];
            Assert.True(engine.Submit(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, pub), queue, i, out DhResult pair)); // from the pool: at once
            DhPrivateKey key = pair.PrivateKey!;
            using DhPrivateKey reference = Curve25519KeyExchange.FromKnownPrivateKey(group, key.Exponent!);
            Assert.Equal(reference.PublicValue.ToArray(), pub);
            using DhPrivateKey peer = Curve25519KeyExchange.FromKnownPrivateKey(group, RandomNumberGenerator.GetBytes(32));
            byte[] expected = new byte[32];
            Assert.Equal(DhStatus.Success, Curve25519KeyExchange.ComputeShared(reference, peer.PublicValue, expected));
            byte[] shared = new byte[32];
            Assert.False(engine.Submit(DhRequest.ComputeShared(key, peer.PublicValue.ToArray(), shared), queue, i, out _));
            Drain(queue, 1, (_, r) => Assert.True(r.IsSuccess));
            Assert.Equal(expected, shared);
        }

        Assert.True(engine.PooledKeyPairs >= 8);
    }

    [Fact]
    public void ModpKeyPairs_WhenThePoolIsEmpty_ComeFromABatchLane()
    {
        // A burst larger than the pool: pairs beyond it are computed in batch lanes (posted later), not by the
        // scalar engine on the caller's thread; every pair is g^x mod p with x in the pool's range.
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance,
            batchOptions: new ModExpBatchOptions { NativeFactory = IfmaModExpKernelFactory.Instance }, pooledGroups: [DhGroupId.Modp2048], poolCapacity: 8);
        var p = new System.Numerics.BigInteger(ModExpGroups.ForId(DhGroupId.Modp2048).PrimeBytes, isUnsigned: true, isBigEndian: true);
        var queue = new DhCompletionQueue();
        // At least 40, and on until one was deferred: the worker refills the pool on the fixed-base comb (about 5 µs a
        // pair), so on a quiet core it may keep up with a short burst; a tight loop of takes cannot keep up for long.
        const int Burst = 40;
        const int MaxBurst = 4000;
        var pubs = new byte[MaxBurst][];
        var keys = new DhPrivateKey?[MaxBurst];
        int deferred = 0;
        int submitted = 0;
        for (int i = 0; i < MaxBurst && (i < Burst || deferred == 0); i++, submitted++)
        {
            pubs[i] = new byte[256];
            if (engine.Submit(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, pubs[i]), queue, i, out DhResult now))
            {
                Assert.True(now.IsSuccess);
                keys[i] = now.PrivateKey;
            }
            else
            {
                deferred++;
            }
        }

        Assert.True(deferred > 0, "a burst should outrun a pool of 8");
        Drain(queue, deferred, (token, r) =>
        {
            Assert.True(r.IsSuccess && r.BytesWritten == 256, $"pair {token}");
            keys[token] = r.PrivateKey;
        });
        for (int i = 0; i < submitted; i++)
        {
            DhPrivateKey key = keys[i]!;
            Assert.Equal(32, key.Exponent!.Length);
            var x = new System.Numerics.BigInteger(key.Exponent, isUnsigned: true, isBigEndian: true);
            Assert.True(x >= 2);
            Assert.Equal(System.Numerics.BigInteger.ModPow(2, x, p), new System.Numerics.BigInteger(pubs[i], isUnsigned: true, isBigEndian: true));
            Assert.Equal(pubs[i], key.PublicValue.ToArray());
            key.Dispose();
        }

        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public void WithoutDeferredKeyPairs_AnEmptyPoolAnswersAtOnce()
    {
        // deferKeyPairs: false (the load generator): key pairs never wait for a batch, whatever the pools hold.
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance,
            batchOptions: new ModExpBatchOptions { NativeFactory = IfmaModExpKernelFactory.Instance, EcdhFactory = IfmaEcdhKernelFactory.Instance },
            pooledGroups: [DhGroupId.Modp2048], poolCapacity: 8, deferKeyPairs: false);
        var queue = new DhCompletionQueue();
        for (int i = 0; i < 20; i++)
        {
            foreach ((DhGroupId group, int length) in (ReadOnlySpan<(DhGroupId, int)>)[(DhGroupId.Modp2048, 256), (DhGroupId.Ecp256, 64), (DhGroupId.Curve25519, 32)])
            {
                Assert.True(engine.Submit(DhRequest.GenerateKeyPair(group, new byte[length]), queue, i, out DhResult r));
                Assert.True(r.IsSuccess);
                r.PrivateKey!.Dispose();
            }
        }

        Assert.Equal(0, queue.Count);
    }

    [IfmaEcdhFact]
    public void P256Pool_PairsEqualDotNet_AndTheirSharedSecretsToo()
    {
        // A pooled pair (d G as x || y on the lanes) is the public key .NET derives from the same d, and its raw-scalar
        // key agrees with .NET on g^xy.
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance,
            batchOptions: new ModExpBatchOptions { EcdhFactory = IfmaEcdhKernelFactory.Instance }, pooledGroups: [DhGroupId.Ecp256], poolCapacity: 16);
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Ecp256);
        var spin = System.Diagnostics.Stopwatch.StartNew();
        while (engine.PooledAvailable(DhGroupId.Ecp256) < 8)
        {
            Assert.True(spin.Elapsed < Patience, "the pool never filled");
            Thread.Sleep(1);
        }

        var queue = new DhCompletionQueue();
        var scalar = new ScalarDhEngine();
        for (int i = 0; i < 8; i++)
        {
            byte[] pub = new byte[64];
            Assert.True(engine.Submit(DhRequest.GenerateKeyPair(DhGroupId.Ecp256, pub), queue, i, out DhResult pair)); // from the pool: at once
            DhPrivateKey key = pair.PrivateKey!;
            Assert.Equal(64, pair.BytesWritten);
            using DhPrivateKey reference = EcpKeyExchange.FromKnownPrivateKey(group, key.Exponent!);
            Assert.Equal(reference.PublicValue.ToArray(), pub);
            Assert.Equal(pub, key.PublicValue.ToArray());
            byte[] peer = new byte[64];
            using DhPrivateKey peerKey = scalar.GenerateKeyPair(DhGroupId.Ecp256, peer).PrivateKey!;
            byte[] expected = new byte[32];
            Assert.True(scalar.ComputeSharedSecret(peerKey, pub, expected).IsSuccess);
            byte[] shared = new byte[32];
            Assert.False(engine.Submit(DhRequest.ComputeShared(key, peer, shared), queue, i, out _));
            Drain(queue, 1, (_, r) => Assert.True(r.IsSuccess));
            Assert.Equal(expected, shared);
        }

        Assert.True(engine.PooledKeyPairs >= 8);
    }

    [IfmaEcdhFact]
    public void P256KeyPairs_InBatchLanes_EqualDotNet_EveryFill()
    {
        // No pool: a key pair is computed in the next batch (the kernel writes x || y) and posted with its key.
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance,
            batchOptions: new ModExpBatchOptions { EcdhFactory = IfmaEcdhKernelFactory.Instance }, pooledGroups: []);
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Ecp256);
        for (int fill = 1; fill <= 8; fill++)
        {
            var queue = new DhCompletionQueue();
            var pubs = new byte[fill][];
            for (int i = 0; i < fill; i++)
            {
                pubs[i] = new byte[64];
                Assert.False(engine.Submit(DhRequest.GenerateKeyPair(DhGroupId.Ecp256, pubs[i]), queue, i, out _));
            }

            Drain(queue, fill, (token, r) =>
            {
                Assert.True(r.IsSuccess && r.BytesWritten == 64, $"lane {token}");
                DhPrivateKey key = r.PrivateKey!;
                using DhPrivateKey reference = EcpKeyExchange.FromKnownPrivateKey(group, key.Exponent!);
                Assert.Equal(reference.PublicValue.ToArray(), pubs[token]);
                Assert.Equal(pubs[token], key.PublicValue.ToArray());
                key.Dispose();
            });
        }

        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public void WithoutEcdhKernels_CurvesCompleteSynchronously()
    {
        using var engine = new BatchedDhEngine(SystemDhRandomSource.Instance, pooledGroups: []);
        Assert.False(engine.BatchesCurve(DhGroupId.Curve25519));
        var queue = new DhCompletionQueue();
        byte[] pub = new byte[32];
        Assert.True(engine.Submit(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, pub), queue, 0, out DhResult r));
        Assert.True(r.IsSuccess);
        using DhPrivateKey peer = new ScalarDhEngine().GenerateKeyPair(DhGroupId.Curve25519, new byte[32]).PrivateKey!;
        Assert.True(engine.Submit(DhRequest.ComputeShared(r.PrivateKey!, peer.PublicValue.ToArray(), new byte[32]), queue, 1, out DhResult s));
        Assert.True(s.IsSuccess);
        Assert.Equal(0, queue.Count);
    }

    private static DhPrivateKey Modp(IDhEngine engine) => engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, new byte[256])).PrivateKey!;

    /// <summary>A second key with the same exponent (the scalar reference consumes its copy).</summary>
    private static DhPrivateKey CloneOf(DhPrivateKey key) =>
        DhPrivateKey.ForModp(key.Group, (byte[])key.Exponent!.Clone(), key.PublicValue.ToArray());

    /// <summary>Waits (bounded; not a timing assertion) until <paramref name="count"/> results are posted, then checks each.</summary>
    private static void Drain(DhCompletionQueue queue, int count, Action<long, DhResult> check)
    {
        var spin = System.Diagnostics.Stopwatch.StartNew();
        int seen = 0;
        while (seen < count)
        {
            if (queue.TryDequeue(out long token, out DhResult r))
            {
                check(token, r);
                seen++;
            }
            else
            {
                Assert.True(spin.Elapsed < Patience, $"only {seen} of {count} results arrived");
                Thread.Sleep(1);
            }
        }
    }
}
