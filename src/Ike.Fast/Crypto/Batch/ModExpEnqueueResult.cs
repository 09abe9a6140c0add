namespace Ike.Fast.Crypto.Batch;

/// <summary>Outcome of <see cref="ModExpBatcher.TryEnqueue"/>.</summary>
public enum ModExpEnqueueResult
{
    /// <summary>Queued; the owner is called back when its batch has run.</summary>
    Queued = 0,

    /// <summary>The group's queue is full: retry after the next poll (back-pressure).</summary>
    QueueFull = 1,

    /// <summary>The base is longer than the prime or not below it (a public value check; RFC 6989 section 2.1).</summary>
    BaseOutOfRange = 2,

    /// <summary>The exponent is empty or longer than the prime.</summary>
    ExponentLengthInvalid = 3,
}
