using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.DiffieHellman;
using NSec.Cryptography;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// For the record: one side of an exchange (fresh key pair + shared secret against a fixed peer) for
/// ECP-256 and Curve25519, raw (.NET ECDiffieHellman, NSec) and through IkeFast's engine (validation,
/// KE encodings, single-use keys), next to MODP-2048 with the default short exponent.
/// </summary>
[MemoryDiagnoser]
public class KeyAgreementBenchmarks
{
    private readonly ScalarDhEngine _engine = new();
    private readonly byte[] _publicValue = new byte[256];
    private readonly byte[] _shared = new byte[256];
    private ECDiffieHellman _p256Peer = null!;
    private Key _x25519Peer = null!;
    private byte[] _p256PeerValue = [];
    private byte[] _x25519PeerValue = [];
    private byte[] _modpPeerValue = [];

    [GlobalSetup]
    public void Setup()
    {
        _p256Peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        _x25519Peer = Key.Create(KeyAgreementAlgorithm.X25519);
        _p256PeerValue = PeerValue(DhGroupId.Ecp256);
        _x25519PeerValue = PeerValue(DhGroupId.Curve25519);
        _modpPeerValue = PeerValue(DhGroupId.Modp2048);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _p256Peer.Dispose();
        _x25519Peer.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte[] EcdhP256Raw()
    {
        using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return ecdh.DeriveRawSecretAgreement(_p256Peer.PublicKey);
    }

    [Benchmark]
    public DhStatus EcdhP256Engine() => OneSide(DhGroupId.Ecp256, _p256PeerValue);

    [Benchmark]
    public int X25519Raw()
    {
        using var key = Key.Create(KeyAgreementAlgorithm.X25519);
        using SharedSecret? secret = KeyAgreementAlgorithm.X25519.Agree(key, _x25519Peer.PublicKey);
        return secret!.Size;
    }

    [Benchmark]
    public DhStatus X25519Engine() => OneSide(DhGroupId.Curve25519, _x25519PeerValue);

    [Benchmark]
    public DhStatus Modp2048Engine() => OneSide(DhGroupId.Modp2048, _modpPeerValue);

    private DhStatus OneSide(DhGroupId id, byte[] peerValue)
    {
        DhResult generated = _engine.GenerateKeyPair(id, _publicValue);
        return _engine.ComputeSharedSecret(generated.PrivateKey!, peerValue, _shared).Status;
    }

    private byte[] PeerValue(DhGroupId id)
    {
        DhGroup group = DhGroupRegistry.Get(id);
        byte[] value = new byte[group.PublicValueLength];
        _engine.GenerateKeyPair(id, value).PrivateKey!.Dispose();
        return value;
    }
}
