namespace Ike.Fast.Host.Transport;

/// <summary>
/// A transport that can tell whether its shard is behind (datagrams queued beyond what one batch took), so admission
/// control refuses new Phase 1s before existing peers' traffic waits (Admission/).
/// </summary>
public interface ITransportBacklog
{
    bool IsBehind { get; }
}
