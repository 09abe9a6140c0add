namespace Ike.Fast.Diagnostics;

/// <summary>One captured frame as returned by <see cref="PcapReader.TryReadNext"/>; <see cref="Data"/> is a slice of the file.</summary>
public readonly ref struct PcapRecord
{
    internal PcapRecord(int frameNumber, long seconds, int nanoseconds, PcapLinkType linkType, uint originalLength, ReadOnlySpan<byte> data)
    {
        FrameNumber = frameNumber;
        TimestampSeconds = seconds;
        TimestampNanoseconds = nanoseconds;
        LinkType = linkType;
        OriginalLength = originalLength;
        Data = data;
    }

    /// <summary>1-based frame number, counted the way Wireshark counts (every packet record).</summary>
    public int FrameNumber { get; }

    /// <summary>Capture time: whole seconds since the Unix epoch.</summary>
    public long TimestampSeconds { get; }

    /// <summary>Capture time: the fraction of the second in nanoseconds (microsecond files are scaled up).</summary>
    public int TimestampNanoseconds { get; }

    /// <summary>The link-layer header type of <see cref="Data"/>.</summary>
    public PcapLinkType LinkType { get; }

    /// <summary>The frame's length on the wire (may exceed <see cref="Data"/>'s length when the snap length cut it).</summary>
    public uint OriginalLength { get; }

    /// <summary>The captured bytes, starting with the link-layer header.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The capture time as a <see cref="DateTimeOffset"/> (UTC, 100 ns resolution).</summary>
    public DateTimeOffset Timestamp =>
        DateTimeOffset.UnixEpoch.AddTicks((TimestampSeconds * TimeSpan.TicksPerSecond) + (TimestampNanoseconds / 100));
}
