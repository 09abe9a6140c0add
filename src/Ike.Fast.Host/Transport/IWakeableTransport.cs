namespace Ike.Fast.Host.Transport;

/// <summary>
/// A transport whose wait another thread can end: the daemon's Diffie-Hellman engine finishes a result on its worker
/// thread and wakes the loop at once instead of the loop polling for it (the batched transport's inbox eventfd).
/// </summary>
internal interface IWakeableTransport
{
    /// <summary>
    /// Checked after the transport has announced that it is going to sleep and before it sleeps: true = work arrived
    /// from another thread, do not sleep (no lost wake-up between the check and <see cref="Wake"/>).
    /// </summary>
    Func<bool>? PendingWork { get; set; }

    /// <summary>Any thread: ends the loop thread's current or next wait if it sleeps (cheap when it does not).</summary>
    void Wake();
}
