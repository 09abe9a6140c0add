using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class DataAttributeTests
{
    [Fact]
    public void TvAttributeReadsTypeAndValue()
    {
        byte[] bytes = [0x80, 0x01, 0x00, 0x07];
        Assert.True(DataAttribute.TryRead(bytes, 10, out DataAttribute a, out int consumed));
        Assert.Equal(4, consumed);
        Assert.True(a.IsBasic);
        Assert.Equal((ushort)IkeAttributeType.EncryptionAlgorithm, a.Type);
        Assert.Equal(7, a.BasicValue);
        Assert.Equal(10, a.Offset);
        Assert.Equal(4, a.EncodedLength);
        Assert.True(a.TryGetInteger(out ulong v));
        Assert.Equal(7UL, v);
    }

    [Fact]
    public void TlvAttributeReadsItsValueBytes()
    {
        byte[] bytes = [0x00, 0x0c, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80];
        Assert.True(DataAttribute.TryRead(bytes, 0, out DataAttribute a, out int consumed));
        Assert.Equal(8, consumed);
        Assert.False(a.IsBasic);
        Assert.Equal((ushort)IkeAttributeType.LifeDuration, a.Type);
        Assert.Equal("00015180", Convert.ToHexString(a.VariableValue));
        Assert.True(a.TryGetInteger(out ulong v));
        Assert.Equal(86400UL, v);
    }

    [Fact]
    public void EmptyAndHugeTlvValues()
    {
        Assert.True(DataAttribute.TryRead([0x00, 0x06, 0x00, 0x00], 0, out DataAttribute empty, out _));
        Assert.True(empty.TryGetInteger(out ulong zero));
        Assert.Equal(0UL, zero);

        byte[] big = [0x00, 0x06, 0x00, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        Assert.True(DataAttribute.TryRead(big, 0, out DataAttribute prime, out _));
        Assert.False(prime.TryGetInteger(out _));

        byte[] padded = [0x00, 0x06, 0x00, 0x0A, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.True(DataAttribute.TryRead(padded, 0, out DataAttribute leadingZeros, out _));
        Assert.True(leadingZeros.TryGetInteger(out ulong value));
        Assert.Equal(0x0102030405060708UL, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("800100")]
    [InlineData("000c0004000151")]
    public void TruncatedAttributesFail(string hex)
    {
        Assert.False(DataAttribute.TryRead(Convert.FromHexString(hex), 0, out _, out int consumed));
        Assert.Equal(0, consumed);
        var reader = new DataAttributeReader(Convert.FromHexString(hex), 100);
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(hex.Length == 0, reader.IsComplete);
        Assert.Equal(hex.Length == 0 ? default : new WireFault(WireError.AttributeTruncated, 100), reader.Fault);
    }

    [Fact]
    public void WriterPicksTvWhenTheValueFitsAndTlvOtherwise()
    {
        var buffer = new byte[64];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        Assert.True(w.WriteAttribute(IkeAttributeType.LifeDuration, 28800));       // V, fits: TV
        Assert.True(w.WriteAttribute(IkeAttributeType.LifeDuration, 86400));       // V, too big: TLV, minimal
        Assert.True(w.WriteAttribute(IpsecAttributeType.SaLifeDuration, 0x1_0000_0000)); // V: 5 bytes
        Assert.True(w.WriteAttribute(IkeAttributeType.KeyLength, 256));            // B
        Assert.True(w.TryFinish(out int length));
        Assert.Equal("800C7080" + "000C0003015180" + "0002000501" + "00000000" + "800E0100", Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void BasicClassWithALargeValueIsRefused()
    {
        var w = IsakmpWriter.ForPayloadChain(new byte[64]);
        Assert.False(w.WriteAttribute(IkeAttributeType.EncryptionAlgorithm, 0x10000));
        Assert.Equal(WireError.AttributeValueNotBasic, w.Error);
        Assert.False(w.WriteAttribute(IpsecAttributeType.KeyLength, 0x10000));
    }

    [Fact]
    public void ReencodingPreservesTheFormExactly()
    {
        // A small value sent as TLV, an unknown class (0x7fff) as TV, an unknown private class as TLV.
        byte[] original = Convert.FromHexString("000B00020001" + "FFFF1234" + "40000003ABCDEF");
        var reader = new DataAttributeReader(original);
        var buffer = new byte[original.Length];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        int count = 0;
        while (reader.TryReadNext(out DataAttribute a))
        {
            Assert.True(w.WriteAttribute(a));
            count++;
        }

        Assert.True(reader.IsComplete);
        Assert.Equal(3, count);
        Assert.True(w.TryFinish(out int length));
        Assert.Equal(Convert.ToHexString(original), Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void AttributeClassesFollowTheRfcTables()
    {
        Assert.True(DataAttributeClasses.IsBasic(IkeAttributeType.EncryptionAlgorithm));
        Assert.True(DataAttributeClasses.IsBasic(IkeAttributeType.Prf));
        Assert.False(DataAttributeClasses.IsBasic(IkeAttributeType.LifeDuration));
        Assert.False(DataAttributeClasses.IsBasic(IkeAttributeType.GroupPrime));
        Assert.False(DataAttributeClasses.IsBasic(IkeAttributeType.GroupOrder));
        Assert.True(DataAttributeClasses.IsBasic(IpsecAttributeType.EncapsulationMode));
        Assert.False(DataAttributeClasses.IsBasic(IpsecAttributeType.SaLifeDuration));
        Assert.False(DataAttributeClasses.IsBasic(IpsecAttributeType.CompressPrivateAlgorithm));
    }
}
