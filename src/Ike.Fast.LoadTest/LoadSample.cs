namespace Ike.Fast.LoadTest;

/// <summary>One point of the per-second time series (or a live progress snapshot).</summary>
/// <param name="Seconds">Seconds since the start.</param>
/// <param name="Started">Handshakes started so far.</param>
/// <param name="Completed">Handshakes completed so far.</param>
/// <param name="Failed">Handshakes failed so far.</param>
/// <param name="InFlight">Handshakes in flight now.</param>
/// <param name="Rate">Completed handshakes per second over the interval.</param>
/// <param name="Latency">Latency of the handshakes completed in the interval.</param>
/// <param name="Retransmits">Generator retransmissions so far.</param>
/// <param name="GeneratorCpu">Generator threads' CPU seconds so far (engine, sockets, receive).</param>
/// <param name="ResponderCpu">Responder CPU seconds so far (embedded responder's loop thread; null if unknown).</param>
public sealed record LoadSample(double Seconds, long Started, long Completed, long Failed, long InFlight, double Rate,
    LatencySummary Latency, long Retransmits, double GeneratorCpu, double? ResponderCpu);
