using Ike.Fast.Diagnostics;

namespace Ike.Fast.Tests.Captures;

/// <summary>Reads tests/data/captures/ID.pcap with <see cref="PcapReader"/> into <see cref="CapturedDatagram"/>s.</summary>
internal static class CaptureFile
{
    public static string PcapPath(string id) => Path.Combine(Dissection.CapturesDirectory, id + ".pcap");

    public static string DissectionPath(string id) => Path.Combine(Dissection.CapturesDirectory, id + ".txt");

    public static string DecryptedDissectionPath(string id) => Path.Combine(Dissection.CapturesDirectory, id + ".decrypted.txt");

    public static string VectorPath(string id) => Path.Combine(Dissection.VectorsDirectory, id + ".json");

    public static List<CapturedDatagram> Read(string id) => Read(File.ReadAllBytes(PcapPath(id)));

    public static List<CapturedDatagram> Read(byte[] file)
    {
        var result = new List<CapturedDatagram>();
        Assert.True(PcapReader.TryOpen(file, out PcapReader reader, out PcapError openError), openError.ToString());
        while (reader.TryReadNext(out PcapRecord record))
        {
            if (UdpPacketDecoder.TryDecode(record.LinkType, record.Data, out UdpDatagram udp) != PacketDecodeStatus.Ok)
            {
                continue;
            }

            IkeDatagramKind kind = IkeDatagram.Classify(udp.SourcePort, udp.DestinationPort, udp.Payload, out ReadOnlySpan<byte> isakmp, out bool marker);
            if (kind == IkeDatagramKind.NotIke)
            {
                continue;
            }

            result.Add(new CapturedDatagram(record.FrameNumber, udp.FormatSource(), udp.FormatDestination(), kind, marker, isakmp.ToArray()));
        }

        Assert.Equal(PcapError.None, reader.Error);
        return result;
    }
}
