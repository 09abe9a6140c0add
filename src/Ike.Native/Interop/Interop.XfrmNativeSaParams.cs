using System.Runtime.InteropServices;

namespace Ike.Native;

/// <summary>IkeFastXfrmSaParams (native/include/ikefast_xfrm.h): 224 bytes; key pointers are pinned by the caller.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct XfrmNativeSaParams
{
    public fixed byte Dst[16];
    public fixed byte Src[16];
    public uint Spi;
    public uint ReqId;
    public ushort Family;
    public byte Proto;
    public byte Mode;
    public uint ReplayWindow;
    public byte Flags;
    public byte EncryptionAlgorithm;
    public byte IntegrityAlgorithm;
    private byte _reserved0;
    public ushort EncapType;
    public ushort EncapSourcePort;
    public ushort EncapDestinationPort;
    private ushort _reserved1;
    public uint EncryptionKeyLength;
    public uint IntegrityKeyLength;
    private uint _reserved2;
    public byte* EncryptionKey;
    public byte* IntegrityKey;
    public XfrmNativeSelector Selector;
    public XfrmNativeLifetime Lifetime;
    public fixed byte EncapOriginalAddress[16];
}
