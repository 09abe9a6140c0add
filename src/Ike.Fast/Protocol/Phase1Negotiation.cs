using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Protocol;

/// <summary>
/// What an ISAKMP SA needs only while its Phase 1 runs and its last reply may still be asked for: the RFC 2409 §5
/// hash inputs (SAi_b, Ni_b, Nr_b, g^xi, g^xr, IDii_b, IDir_b), the DH private key and the fragment reassembler.
/// In an object of its own, rented from a per-thread free list on first use and handed back when the SA goes idle
/// (<see cref="IkeSa.ReleasePhase1Material"/>) or is reset: an idle established SA keeps one null reference instead of
/// nine (72 B per SA less; issue #7).
/// </summary>
internal sealed class Phase1Negotiation
{
    /// <summary>Upper bound of a thread's free list.</summary>
    private const int MaxPooled = 4096;

    /// <summary>Per thread, because endpoints run one per thread (no lock on the packet path).</summary>
    [ThreadStatic]
    private static Stack<Phase1Negotiation>? t_free;

    public byte[] SaiB = [];
    public byte[] Ni = [];
    public byte[] Nr = [];
    public byte[] Gxi = [];
    public byte[] Gxr = [];
    public byte[] IdiiB = [];
    public byte[] IdirB = [];
    public DhPrivateKey? DhKey;
    public FragmentReassembler? Fragments;

    /// <summary>An empty one (from this thread's free list when it has one).</summary>
    public static Phase1Negotiation Rent() => t_free is { } free && free.TryPop(out Phase1Negotiation? n) ? n : new Phase1Negotiation();

    /// <summary>
    /// Arrays back to <paramref name="bytes"/> (zeroed there), the DH key disposed, everything empty again, and this
    /// object to the thread's free list (the caller drops its reference).
    /// </summary>
    public void Return(ExactLengthArrayPool bytes)
    {
        Clear(bytes);
        Stack<Phase1Negotiation> free = t_free ??= new Stack<Phase1Negotiation>();
        if (free.Count < MaxPooled)
        {
            free.Push(this);
        }
    }

    /// <summary>Every field back to its initial value (arrays to <paramref name="bytes"/>, zeroed there; the DH key disposed).</summary>
    public void Clear(ExactLengthArrayPool bytes)
    {
        ReturnArray(bytes, ref SaiB);
        ReturnArray(bytes, ref Ni);
        ReturnArray(bytes, ref Nr);
        ReturnArray(bytes, ref Gxi);
        ReturnArray(bytes, ref Gxr);
        ReturnArray(bytes, ref IdiiB);
        ReturnArray(bytes, ref IdirB);
        DhKey?.Dispose();
        DhKey = null;
        Fragments = null;
    }

    private static void ReturnArray(ExactLengthArrayPool bytes, ref byte[] array)
    {
        bytes.Return(array);
        array = [];
    }
}
