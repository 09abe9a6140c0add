using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>An owner that records every result it is given (thread-safe), and signals when it has enough.</summary>
internal sealed class RecordingCompletion : IModExpCompletion
{
    private readonly object _gate = new();
    private readonly Dictionary<long, byte[]> _results = [];
    private readonly int _expected;
    private readonly ManualResetEventSlim _done = new();

    public RecordingCompletion(int expected = int.MaxValue) => _expected = expected;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _results.Count;
            }
        }
    }

    public byte[] this[long token]
    {
        get
        {
            lock (_gate)
            {
                return _results[token];
            }
        }
    }

    public bool Wait(TimeSpan timeout) => _done.Wait(timeout);

    public void OnModExpCompleted(long token, ReadOnlySpan<byte> result)
    {
        lock (_gate)
        {
            Assert.True(_results.TryAdd(token, result.ToArray()), $"token {token} completed twice");
            if (_results.Count >= _expected)
            {
                _done.Set();
            }
        }
    }
}
