namespace Ike.Fast.Host.Daemon;

/// <summary>Run-time switches of the daemon that are not part of the configuration file.</summary>
public sealed record DaemonOptions
{
    /// <summary>Log key material (IPsec keys) at Information: only with the explicit <c>--log-secrets</c> switch.</summary>
    public bool LogSecrets { get; init; }

    /// <summary>
    /// The longest the loop blocks in a receive even when the engine has no deadline: bounds how late shutdown and
    /// control-socket commands are noticed.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest datagram accepted or sent (IKEv1 messages with certificates fit; fragments are smaller).</summary>
    public int DatagramBufferSize { get; init; } = 65535;

    /// <summary>
    /// This loop's shard number (Sharding/): shard 0 starts the configured children (<c>start_action=start</c>) and the
    /// control socket's initiations; the others answer and rekey what they own.
    /// </summary>
    public int ShardIndex { get; init; }
}
