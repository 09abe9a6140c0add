using Ike.Fast.Diagnostics;

namespace Ike.Fast.Tests.Diagnostics;

public class PcapReaderTests
{
    private static readonly byte[] AddressA = [192, 0, 2, 1];
    private static readonly byte[] AddressB = [192, 0, 2, 2];
    private static readonly byte[] Payload = [1, 2, 3, 4, 5];

    private static byte[] EthernetUdpFrame(int padding = 0) =>
        PcapTestFiles.Ethernet(0x0800, PcapTestFiles.Ipv4(AddressA, AddressB, 17, PcapTestFiles.Udp(500, 500, Payload)), padding);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ClassicPcapInEitherByteOrderAndResolution(bool bigEndian, bool nanoseconds)
    {
        byte[] file = PcapTestFiles.ClassicPcap(bigEndian, nanoseconds, 1,
            (1_795_725_793, nanoseconds ? 633_978_123u : 633_978u, EthernetUdpFrame()),
            (1_795_725_794, 0, EthernetUdpFrame(padding: 6)));

        Assert.True(PcapReader.TryOpen(file, out PcapReader reader, out PcapError error));
        Assert.Equal(PcapError.None, error);
        Assert.False(reader.IsPcapng);

        Assert.True(reader.TryReadNext(out PcapRecord first));
        Assert.Equal(1, first.FrameNumber);
        Assert.Equal(PcapLinkType.Ethernet, first.LinkType);
        Assert.Equal(1_795_725_793, first.TimestampSeconds);
        Assert.Equal(nanoseconds ? 633_978_123 : 633_978_000, first.TimestampNanoseconds);
        Assert.Equal(PacketDecodeStatus.Ok, UdpPacketDecoder.TryDecode(first.LinkType, first.Data, out UdpDatagram udp));
        Assert.Equal("192.0.2.1:500", udp.FormatSource());
        Assert.Equal("192.0.2.2:500", udp.FormatDestination());
        Assert.Equal(Payload, udp.Payload.ToArray());

        Assert.True(reader.TryReadNext(out PcapRecord second));
        Assert.Equal(2, second.FrameNumber);
        Assert.Equal(PacketDecodeStatus.Ok, UdpPacketDecoder.TryDecode(second.LinkType, second.Data, out udp));
        Assert.Equal(Payload, udp.Payload.ToArray()); // Ethernet padding is not payload

        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(PcapError.None, reader.Error);
    }

    [Theory]
    [InlineData(false, null, 1_795_725_793_633_978UL, 633_978_000)]
    [InlineData(true, null, 1_795_725_793_633_978UL, 633_978_000)]
    [InlineData(false, 9, 1_795_725_793_633_978_123UL, 633_978_123)]
    [InlineData(true, 0x80 | 20, (1_795_725_793UL << 20) | (1UL << 19), 500_000_000)]
    public void PcapngWithTimestampResolutions(bool bigEndian, int? resolution, ulong timestamp, int expectedNanoseconds)
    {
        byte[] file = PcapTestFiles.Pcapng(bigEndian, 1, (byte?)resolution, (timestamp, EthernetUdpFrame()), (timestamp, EthernetUdpFrame()));
        Assert.True(PcapReader.TryOpen(file, out PcapReader reader, out _));
        Assert.True(reader.IsPcapng);
        Assert.True(reader.TryReadNext(out PcapRecord record));
        Assert.Equal(1, record.FrameNumber);
        Assert.Equal(1_795_725_793, record.TimestampSeconds);
        Assert.Equal(expectedNanoseconds, record.TimestampNanoseconds);
        Assert.Equal(PacketDecodeStatus.Ok, UdpPacketDecoder.TryDecode(record.LinkType, record.Data, out UdpDatagram udp));
        Assert.Equal(Payload, udp.Payload.ToArray());
        Assert.True(reader.TryReadNext(out record));
        Assert.Equal(2, record.FrameNumber);
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(PcapError.None, reader.Error);
    }

    [Fact]
    public void LinkTypesAndIpv6()
    {
        byte[] udp = PcapTestFiles.Udp(4500, 4500, Payload);
        byte[] ipv4 = PcapTestFiles.Ipv4(AddressA, AddressB, 17, udp);
        byte[] v6a = new byte[16];
        byte[] v6b = new byte[16];
        v6a[0] = 0x20; v6a[1] = 0x01; v6a[2] = 0x0d; v6a[3] = 0xb8; v6a[15] = 1;
        v6b[0] = 0x20; v6b[1] = 0x01; v6b[2] = 0x0d; v6b[3] = 0xb8; v6b[15] = 2;

        // IPv6 with a hop-by-hop options header and an atomic fragment header before UDP.
        byte[] hopByHop = [44, 0, 0, 0, 0, 0, 0, 0];
        byte[] atomicFragment = [17, 0, 0, 0, 0, 0, 0, 1];
        byte[] ipv6 = PcapTestFiles.Ipv6(v6a, v6b, 0, [.. hopByHop, .. atomicFragment, .. udp]);

        AssertUdp(PcapLinkType.Ethernet, PcapTestFiles.Ethernet(0x0800, ipv4, 0, 0x8100), "192.0.2.1:4500");
        AssertUdp(PcapLinkType.Ethernet, PcapTestFiles.Ethernet(0x86DD, ipv6, 0, 0x88A8, 0x8100), "[2001:db8::1]:4500");
        AssertUdp(PcapLinkType.LinuxSll, PcapTestFiles.Sll(0x0800, ipv4), "192.0.2.1:4500");
        AssertUdp(PcapLinkType.LinuxSll2, PcapTestFiles.Sll2(0x86DD, ipv6), "[2001:db8::1]:4500");
        AssertUdp(PcapLinkType.Raw, ipv4, "192.0.2.1:4500");
        AssertUdp(PcapLinkType.Raw, ipv6, "[2001:db8::1]:4500");
        AssertUdp(PcapLinkType.Ipv6, ipv6, "[2001:db8::1]:4500");
        AssertUdp(PcapLinkType.Null, [2, 0, 0, 0, .. ipv4], "192.0.2.1:4500");
        AssertUdp(PcapLinkType.Null, [0, 0, 0, 30, .. ipv6], "[2001:db8::1]:4500");

        static void AssertUdp(PcapLinkType linkType, byte[] frame, string source)
        {
            Assert.Equal(PacketDecodeStatus.Ok, UdpPacketDecoder.TryDecode(linkType, frame, out UdpDatagram udp));
            Assert.Equal(source, udp.FormatSource());
            Assert.Equal(4500, udp.DestinationPort);
            Assert.Equal(Payload, udp.Payload.ToArray());
        }
    }

    [Fact]
    public void NonUdpFragmentsAndTruncationAreReportedNotThrown()
    {
        byte[] udp = PcapTestFiles.Udp(500, 500, Payload);
        Assert.Equal(PacketDecodeStatus.NotUdp, UdpPacketDecoder.TryDecode(PcapLinkType.Raw, PcapTestFiles.Ipv4(AddressA, AddressB, 50, udp), out _));
        Assert.Equal(PacketDecodeStatus.IpFragment, UdpPacketDecoder.TryDecode(PcapLinkType.Raw, PcapTestFiles.Ipv4(AddressA, AddressB, 17, udp, 0x2000), out _));
        Assert.Equal(PacketDecodeStatus.IpFragment, UdpPacketDecoder.TryDecode(PcapLinkType.Raw, PcapTestFiles.Ipv4(AddressA, AddressB, 17, udp, 0x0010), out _));
        Assert.Equal(PacketDecodeStatus.NotIp, UdpPacketDecoder.TryDecode(PcapLinkType.Ethernet, PcapTestFiles.Ethernet(0x0806, new byte[28]), out _));
        Assert.Equal(PacketDecodeStatus.UnsupportedLinkType, UdpPacketDecoder.TryDecode((PcapLinkType)147, udp, out _));

        byte[] frame = EthernetUdpFrame();
        for (int length = 0; length < frame.Length; length++)
        {
            Assert.NotEqual(PacketDecodeStatus.Ok, UdpPacketDecoder.TryDecode(PcapLinkType.Ethernet, frame.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void TruncatedAndGarbageFilesStopWithAnError()
    {
        byte[] file = PcapTestFiles.ClassicPcap(false, false, 1, (1, 0, EthernetUdpFrame()));
        Assert.False(PcapReader.TryOpen(file.AsSpan(0, 3), out _, out PcapError error));
        Assert.Equal(PcapError.TruncatedFileHeader, error);
        Assert.False(PcapReader.TryOpen("not a capture file"u8, out _, out error));
        Assert.Equal(PcapError.UnknownMagic, error);

        Assert.True(PcapReader.TryOpen(file.AsSpan(0, file.Length - 1), out PcapReader reader, out _));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(PcapError.TruncatedRecordData, reader.Error);

        Assert.True(PcapReader.TryOpen(file.AsSpan(0, 30), out reader, out _));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(PcapError.TruncatedRecordHeader, reader.Error);

        byte[] ng = PcapTestFiles.Pcapng(false, 1, null, (0, EthernetUdpFrame()));
        ng[^1] ^= 0x10; // trailing length no longer matches the leading one
        Assert.True(PcapReader.TryOpen(ng, out reader, out _));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(PcapError.InvalidBlockLength, reader.Error);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(1234);
        byte[] classic = PcapTestFiles.ClassicPcap(false, false, 1, (1, 0, EthernetUdpFrame()), (2, 0, EthernetUdpFrame()));
        byte[] ng = PcapTestFiles.Pcapng(true, 113, 9, (1, PcapTestFiles.Sll(0x0800, PcapTestFiles.Ipv4(AddressA, AddressB, 17, PcapTestFiles.Udp(4500, 4500, Payload)))));
        foreach (byte[] seed in new[] { classic, ng })
        {
            for (int i = 0; i < 2000; i++)
            {
                byte[] mutated = (byte[])seed.Clone();
                int flips = random.Next(1, 8);
                for (int f = 0; f < flips; f++)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                int length = random.Next(4) == 0 ? random.Next(mutated.Length) : mutated.Length;
                ReadAll(mutated.AsSpan(0, length));
            }
        }

        static void ReadAll(ReadOnlySpan<byte> file)
        {
            if (!PcapReader.TryOpen(file, out PcapReader reader, out _))
            {
                return;
            }

            int guard = 0;
            while (reader.TryReadNext(out PcapRecord record) && guard++ < 1000)
            {
                _ = record.Timestamp;
                if (UdpPacketDecoder.TryDecode(record.LinkType, record.Data, out UdpDatagram udp) == PacketDecodeStatus.Ok)
                {
                    _ = IkeDatagram.Classify(udp.SourcePort, udp.DestinationPort, udp.Payload, out _, out _);
                    _ = udp.FormatSource();
                }
            }
        }
    }

    [Fact]
    public void SteadyStateReadingDoesNotAllocate()
    {
        byte[] file = PcapTestFiles.ClassicPcap(false, false, 1, (1, 0, EthernetUdpFrame()), (2, 0, EthernetUdpFrame()));
        int Walk()
        {
            int total = 0;
            if (PcapReader.TryOpen(file, out PcapReader reader, out _))
            {
                while (reader.TryReadNext(out PcapRecord record))
                {
                    if (UdpPacketDecoder.TryDecode(record.LinkType, record.Data, out UdpDatagram udp) == PacketDecodeStatus.Ok
                        && IkeDatagram.Classify(udp.SourcePort, udp.DestinationPort, udp.Payload, out ReadOnlySpan<byte> isakmp, out _) == IkeDatagramKind.Isakmp)
                    {
                        total += isakmp.Length;
                    }
                }
            }

            return total;
        }

        Walk();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            sum += Walk();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, sum);
    }
}
