namespace Ike.Fast.Crypto.Batch;

/// <summary>Life of a pool slot: Free -&gt; Pending (exponentiation queued) -&gt; Ready -&gt; Taken -&gt; (wiped) Free.</summary>
internal enum EphemeralKeyPairState
{
    Free = 0,
    Pending = 1,
    Ready = 2,
    Taken = 3,
}
