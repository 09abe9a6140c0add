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
    /// This loop's shard number (Sharding/): every exchange with one peer runs on the shard of the peer's address, so a
    /// shard starts the configured children (<c>start_action=start</c>) of the connections whose peer is its own.
    /// </summary>
    public int ShardIndex { get; init; }

    /// <summary>How many shards run (1: this loop does everything).</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>
    /// The seed of the peer-address hash (Sharding/ShardSteering); null = a random one per start (the daemon's default:
    /// a sender cannot aim a flood at one shard). Tests fix it to choose peers' shards.
    /// </summary>
    public ulong? SteeringSeed { get; init; }
}
