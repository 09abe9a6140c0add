using Ike.Fast.Diagnostics;

namespace Ike.Fast.Fuzz;

/// <summary>
/// The second fuzz target (<c>--capture</c>): one input is one capture file. It goes through the whole
/// <c>ikefast inspect FILE</c> path: pcap/pcapng reader, link/IP/UDP decoder, port 500/4500 classification,
/// IKE fragment reassembly and both output formats. Any exception is a finding.
/// </summary>
public static class CaptureFileTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        new CaptureInspector(TextWriter.Null, json: true).InspectCapture(data);
        new CaptureInspector(TextWriter.Null, json: false).InspectCapture(data);
    }
}
