namespace Ike.Fast.Protocol;

/// <summary>Monotonic counters of one <see cref="Endpoint"/> (read by <c>ikefast status</c>).</summary>
public sealed class EndpointCounters
{
    private readonly long[] _byCode = new long[Enum.GetValues<DiagnosticCode>().Length + 1];

    /// <summary>Datagrams handed to <see cref="Endpoint.Handle"/>.</summary>
    public long Received { get; internal set; }

    /// <summary>Datagrams returned by <see cref="Endpoint.PollTransmit"/>.</summary>
    public long Sent { get; internal set; }

    /// <summary>Datagrams dropped without any answer.</summary>
    public long Dropped { get; internal set; }

    /// <summary>Diagnostic events not queued because too many were pending (<see cref="EndpointOptions.MaxPendingDiagnostics"/>).</summary>
    public long DiagnosticsSuppressed { get; internal set; }

    /// <summary>Phase 1 SAs established.</summary>
    public long Phase1Established { get; internal set; }

    /// <summary>Quick Modes completed (IPsec SA pairs installed).</summary>
    public long ChildSasEstablished { get; internal set; }

    /// <summary>Occurrences of one diagnostic reason.</summary>
    public long this[DiagnosticCode code] => _byCode[(int)code];

    internal void Count(DiagnosticCode code) => _byCode[(int)code]++;
}
