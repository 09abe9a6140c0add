namespace Ike.Fast.Diagnostics;

/// <summary>Why <see cref="PcapReader"/> stopped before the end of the file.</summary>
public enum PcapError
{
    /// <summary>No error: the end of the file was reached cleanly.</summary>
    None = 0,

    /// <summary>The file is shorter than a pcap global header or pcapng section header.</summary>
    TruncatedFileHeader,

    /// <summary>The first four bytes are neither a pcap magic number nor a pcapng section header block.</summary>
    UnknownMagic,

    /// <summary>A record or block header runs past the end of the file.</summary>
    TruncatedRecordHeader,

    /// <summary>A record's captured length runs past the end of the file (or its block).</summary>
    TruncatedRecordData,

    /// <summary>A pcapng block has an invalid total length (not a multiple of 4, too small, or mismatched trailer).</summary>
    InvalidBlockLength,

    /// <summary>A pcapng packet refers to an interface that no Interface Description Block declared.</summary>
    UnknownInterface,

    /// <summary>A pcapng file declares more interfaces than this reader tracks.</summary>
    TooManyInterfaces,
}
