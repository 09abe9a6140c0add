namespace Ike.Fast.Host.Control;

/// <summary>The engine's counters in a status answer (since start): datagrams and SAs, for monitoring and tests.</summary>
public sealed record CountersStatus(long Received, long Sent, long Dropped, long Phase1Established, long ChildSasEstablished);
