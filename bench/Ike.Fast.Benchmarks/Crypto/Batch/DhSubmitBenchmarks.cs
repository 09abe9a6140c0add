using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.Ecc;
using Ike.Native.ModExp;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// Eight shared secrets (one full batch) the way the endpoint asks for them: the synchronous
/// <see cref="ScalarDhEngine.Execute"/> one after the other (baseline) against <see cref="BatchedDhEngine.Submit"/> of
/// all eight and a wait for their results in a <see cref="DhCompletionQueue"/> (worker thread, IFMA lanes where the
/// CPU has them). Times are per shared secret (OperationsPerInvoke = 8) and include the hand-off to the worker and
/// back; each invocation builds fresh single-use keys from stored scalars (both rows alike).
/// </summary>
[MemoryDiagnoser]
public class DhSubmitBenchmarks : IDisposable
{
    private const int Operations = 8;
    private readonly ScalarDhEngine _scalar = new();
    private readonly DhCompletionQueue _queue = new();
    private readonly byte[][] _destinations = new byte[Operations][];
    private BatchedDhEngine? _batched;
    private DhGroup _group = null!;
    private byte[][] _scalars = [];
    private byte[][] _publics = [];
    private byte[][] _peers = [];

    [Params(DhGroupId.Modp2048, DhGroupId.Curve25519, DhGroupId.Ecp256)]
    public DhGroupId Group { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _group = DhGroupRegistry.Get(Group);
        _batched = new BatchedDhEngine(SystemDhRandomSource.Instance,
            batchOptions: new ModExpBatchOptions { NativeFactory = IfmaModExpKernelFactory.Instance, EcdhFactory = IfmaEcdhKernelFactory.Instance },
            pooledGroups: []);
        _scalars = new byte[Operations][];
        _publics = new byte[Operations][];
        _peers = new byte[Operations][];
        for (int k = 0; k < Operations; k++)
        {
            _destinations[k] = new byte[_group.SharedSecretLength];
            _peers[k] = new byte[_group.PublicValueLength];
            using DhPrivateKey peer = _scalar.GenerateKeyPair(Group, _peers[k]).PrivateKey!;
            _publics[k] = new byte[_group.PublicValueLength];
            _scalars[k] = Group == DhGroupId.Modp2048
                ? (byte[])_scalar.GenerateKeyPair(Group, _publics[k]).PrivateKey!.Exponent!.Clone()
                : System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public int ScalarExecute()
    {
        int bytes = 0;
        for (int k = 0; k < Operations; k++)
        {
            bytes += _scalar.Execute(DhRequest.ComputeShared(Key(k, forScalarEngine: true), _peers[k], _destinations[k])).BytesWritten;
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int BatchedSubmit()
    {
        int pending = 0;
        int bytes = 0;
        for (int k = 0; k < Operations; k++)
        {
            if (_batched!.Submit(DhRequest.ComputeShared(Key(k, forScalarEngine: false), _peers[k], _destinations[k]), _queue, k, out DhResult now))
            {
                bytes += now.BytesWritten;
            }
            else
            {
                pending++;
            }
        }

        while (pending > 0)
        {
            if (_queue.TryDequeue(out _, out DhResult r))
            {
                bytes += r.BytesWritten;
                pending--;
            }
            else
            {
                Thread.SpinWait(20);
            }
        }

        return bytes;
    }

    public void Dispose()
    {
        _batched?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh single-use key from stored scalar k (the scalar engine needs NSec / .NET keys for the curves).</summary>
    private DhPrivateKey Key(int k, bool forScalarEngine) => Group switch
    {
        DhGroupId.Modp2048 => DhPrivateKey.ForModp(_group, (byte[])_scalars[k].Clone(), _publics[k]),
        DhGroupId.Curve25519 when forScalarEngine => Curve25519KeyExchange.FromKnownPrivateKey(_group, _scalars[k]),
        DhGroupId.Ecp256 when forScalarEngine || !IfmaP256.IsSupported => EcpKeyExchange.FromKnownPrivateKey(_group, Scalar256(k)),
        _ => DhPrivateKey.ForScalar(_group, Group == DhGroupId.Ecp256 ? Scalar256(k) : (byte[])_scalars[k].Clone(), _publics[k]),
    };

    /// <summary>A P-256 private scalar below n (top bit cleared keeps it in range).</summary>
    private byte[] Scalar256(int k)
    {
        byte[] d = (byte[])_scalars[k].Clone();
        d[0] &= 0x7F;
        d[31] |= 1;
        return d;
    }
}
