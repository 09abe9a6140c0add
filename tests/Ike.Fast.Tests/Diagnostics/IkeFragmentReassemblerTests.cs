using Ike.Fast.Diagnostics;
using Ike.Fast.Tests.Captures;

namespace Ike.Fast.Tests.Diagnostics;

public class IkeFragmentReassemblerTests
{
    private const string RsaCapture = "mm-rsa-aes128-sha256-modp2048__sw-sw";

    private static (byte[] First, byte[] Last) Fragments()
    {
        List<CapturedDatagram> datagrams = CaptureFile.Read(RsaCapture);
        return (datagrams.Single(d => d.FrameNumber == 5).Isakmp, datagrams.Single(d => d.FrameNumber == 6).Isakmp);
    }

    private static string ExpectedHex()
    {
        using var vector = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(CaptureFile.VectorPath(RsaCapture)));
        return vector.RootElement.GetProperty("reassembled_fragments")[0].GetProperty("hex").GetString()!;
    }

    [Fact]
    public void InOrderFragmentsRebuildTheRecordedMessage()
    {
        (byte[] first, byte[] last) = Fragments();
        var reassembler = new IkeFragmentReassembler();
        Assert.False(reassembler.TryAdd(first, 5, out _, out _));
        Assert.True(reassembler.TryAdd(last, 6, out byte[] whole, out int?[] frames));
        Assert.Equal(ExpectedHex(), Convert.ToHexStringLower(whole));
        Assert.Equal([5, 6], frames);
    }

    [Fact]
    public void OutOfOrderAndRetransmittedFragments()
    {
        (byte[] first, byte[] last) = Fragments();
        var reassembler = new IkeFragmentReassembler();
        Assert.False(reassembler.TryAdd(last, 6, out _, out _));
        Assert.False(reassembler.TryAdd(last, 7, out _, out _));
        Assert.True(reassembler.TryAdd(first, 8, out byte[] whole, out int?[] frames));
        Assert.Equal(ExpectedHex(), Convert.ToHexStringLower(whole));
        Assert.Equal([8, 7], frames);

        // Completed messages are forgotten: the same last fragment alone does not complete again.
        Assert.False(reassembler.TryAdd(last, 9, out _, out _));
    }

    [Fact]
    public void NonFragmentsAndGarbageAreIgnored()
    {
        var reassembler = new IkeFragmentReassembler();
        Assert.False(reassembler.TryAdd(CaptureFile.Read(RsaCapture)[0].Isakmp, 1, out _, out _));
        Assert.False(reassembler.TryAdd([1, 2, 3], 2, out _, out _));
        Assert.False(reassembler.TryAdd([], null, out _, out _));
    }
}
