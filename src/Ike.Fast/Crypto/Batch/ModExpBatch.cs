using System.Security.Cryptography;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Up to eight queued exponentiations of one group taken together by <see cref="ModExpBatcher.TryTakeBatch"/>:
/// run <see cref="Execute"/> (the expensive part, may run outside the host's lock), then <see cref="Complete"/>
/// (calls the owners back, wipes the buffers and frees the group for its next batch), or <see cref="Deliver"/>
/// outside the host's lock and <see cref="Finish"/> under it. Reused: no allocation.
/// </summary>
public sealed class ModExpBatch
{
    private readonly ModExpGroupQueue _queue;
    private readonly IModExpCompletion?[] _owners;
    private readonly long[] _tokens;

    internal ModExpBatch(ModExpGroupQueue queue, int lanes, int modulusLength)
    {
        _queue = queue;
        _owners = new IModExpCompletion?[lanes];
        _tokens = new long[lanes];
        Bases = new byte[lanes * modulusLength];
        Exponents = new byte[lanes * modulusLength];
        Results = new byte[lanes * modulusLength];
    }

    /// <summary>The group of every lane.</summary>
    public DhGroupId Group => _queue.Group;

    /// <summary>Lanes filled (1 to 8).</summary>
    public int Lanes { get; private set; }

    /// <summary>Common exponent length of this batch: the longest request's (shorter ones are zero-padded).</summary>
    public int ExponentLength { get; private set; }

    internal byte[] Bases { get; }

    internal byte[] Exponents { get; }

    internal byte[] Results { get; }

    /// <summary>Runs the exponentiations (constant time in the exponent values).</summary>
    public void Execute()
    {
        _queue.Kernel.ModPow(Bases, Exponents, ExponentLength, Results, Lanes);
    }

    /// <summary>Delivers every lane's result to its owner, wipes the buffers and releases the group.</summary>
    public void Complete()
    {
        try
        {
            Deliver();
        }
        finally
        {
            Finish();
        }
    }

    /// <summary>
    /// Calls every lane's owner back with its result. Needs no lock of the host: the group takes no further batch
    /// until <see cref="Finish"/>, so nothing else touches this batch's buffers meanwhile.
    /// </summary>
    public void Deliver()
    {
        int len = _queue.ModulusLength;
        for (int lane = 0; lane < Lanes; lane++)
        {
            _owners[lane]!.OnModExpCompleted(_tokens[lane], Results.AsSpan(lane * len, len));
        }
    }

    /// <summary>Wipes the buffers and releases the group for its next batch (under the host's lock).</summary>
    public void Finish()
    {
        CryptographicOperations.ZeroMemory(Exponents);
        CryptographicOperations.ZeroMemory(Results);
        Array.Clear(_owners);
        Lanes = 0;
        _queue.Release();
    }

    internal void Begin(int exponentLength)
    {
        Lanes = 0;
        ExponentLength = exponentLength;
    }

    /// <summary>Lane k: base as stored (modulus length), exponent right-aligned into <see cref="ExponentLength"/>.</summary>
    internal void Add(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> paddedExponent, IModExpCompletion owner, long token)
    {
        int len = _queue.ModulusLength;
        int lane = Lanes++;
        @base.CopyTo(Bases.AsSpan(lane * len, len));
        paddedExponent[^ExponentLength..].CopyTo(Exponents.AsSpan(lane * ExponentLength, ExponentLength));
        _owners[lane] = owner;
        _tokens[lane] = token;
    }
}
