using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ike.Fast.Wire;

/// <summary>
/// One data attribute (RFC 2408 §3.3), read by <see cref="DataAttributeReader"/>:
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !A!       Attribute Type        !    AF=0  Attribute Length     !
/// !F!                             !    AF=1  Attribute Value      !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                   AF=0  Attribute Value                       .
/// .                   AF=1  Not Transmitted                       .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// AF=1 is the TV ("basic") form, AF=0 the TLV ("variable") form. The form is kept so that re-encoding an attribute
/// reproduces it exactly, even a small value a peer chose to send as TLV. Unknown classes are preserved as-is.
/// </summary>
public readonly ref struct DataAttribute
{
    public const int HeaderSize = 4;
    public const ushort FormatBit = 0x8000;
    public const ushort TypeMask = 0x7FFF;

    public DataAttribute(ushort type, ushort basicValue, int offset)
    {
        Type = (ushort)(type & TypeMask);
        IsBasic = true;
        BasicValue = basicValue;
        VariableValue = default;
        Offset = offset;
    }

    public DataAttribute(ushort type, ReadOnlySpan<byte> variableValue, int offset)
    {
        Type = (ushort)(type & TypeMask);
        IsBasic = false;
        BasicValue = 0;
        VariableValue = variableValue;
        Offset = offset;
    }

    /// <summary>Attribute class (AF bit removed): an <see cref="IkeAttributeType"/>, <see cref="IpsecAttributeType"/>
    /// or mode-config type depending on the container.</summary>
    public ushort Type { get; }

    /// <summary>AF=1: TV form, the value is <see cref="BasicValue"/>.</summary>
    public bool IsBasic { get; }

    public ushort BasicValue { get; }

    /// <summary>TLV value bytes (empty for TV).</summary>
    public ReadOnlySpan<byte> VariableValue { get; }

    /// <summary>Offset of the attribute header.</summary>
    public int Offset { get; }

    /// <summary>Bytes the attribute occupies on the wire.</summary>
    public int EncodedLength => HeaderSize + VariableValue.Length;

    /// <summary>The value as an unsigned integer: TV value, or a big-endian TLV value of at most 8 significant
    /// bytes (leading zero bytes are allowed). False when it does not fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetInteger(out ulong value)
    {
        if (IsBasic)
        {
            value = BasicValue;
            return true;
        }

        return TryGetVariableInteger(VariableValue, out value);
    }

    private static bool TryGetVariableInteger(ReadOnlySpan<byte> v, out ulong value)
    {
        int i = 0;
        while (i < v.Length && v[i] == 0)
        {
            i++;
        }

        v = v[i..];
        if (v.Length > sizeof(ulong))
        {
            value = 0;
            return false;
        }

        ulong result = 0;
        foreach (byte b in v)
        {
            result = (result << 8) | b;
        }

        value = result;
        return true;
    }

    /// <summary>Reads one attribute at the start of <paramref name="source"/>; <paramref name="consumed"/> is its
    /// encoded length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> source, int offset, out DataAttribute attribute, out int consumed)
    {
        if (source.Length < HeaderSize)
        {
            attribute = default;
            consumed = 0;
            return false;
        }

        // One 32-bit load: type field in the high half, length or value in the low half.
        uint word = BinaryPrimitives.ReadUInt32BigEndian(source);
        ushort typeField = (ushort)(word >> 16);
        ushort second = (ushort)word;
        if ((typeField & FormatBit) != 0)
        {
            attribute = new DataAttribute(typeField, second, offset);
            consumed = HeaderSize;
            return true;
        }

        if (second > source.Length - HeaderSize)
        {
            attribute = default;
            consumed = 0;
            return false;
        }

        attribute = new DataAttribute(typeField, source.Slice(HeaderSize, second), offset);
        consumed = HeaderSize + second;
        return true;
    }
}
