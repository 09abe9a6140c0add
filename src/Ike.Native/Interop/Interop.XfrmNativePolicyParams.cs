using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ike.Native;

/// <summary>IkeFastXfrmPolicyParams (native/include/ikefast_xfrm.h): 260 bytes, up to four templates.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XfrmNativePolicyParams
{
    public const int MaxTemplates = 4;

    public XfrmNativeSelector Selector;
    public uint Priority;
    public uint Index;
    public byte Direction;
    public byte Action;
    public byte Flags;
    public byte TemplateCount;
    public TemplateArray Templates;

    [InlineArray(MaxTemplates)]
    internal struct TemplateArray
    {
        private XfrmNativeTemplate _element;
    }
}
