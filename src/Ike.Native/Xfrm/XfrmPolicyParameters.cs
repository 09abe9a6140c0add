namespace Ike.Native.Xfrm;

/// <summary>One security policy (XFRM_MSG_NEWPOLICY/UPDPOLICY; RFC 4301 section 4.4.1).</summary>
public ref struct XfrmPolicyParameters
{
    /// <summary>At most this many templates (nested SAs, e.g. AH over ESP).</summary>
    public const int MaxTemplates = 4;

    public XfrmSelector Selector { get; set; }

    public XfrmPolicyDirection Direction { get; set; }

    public XfrmPolicyAction Action { get; set; }

    /// <summary>Lower value = checked first.</summary>
    public uint Priority { get; set; }

    /// <summary>0 = let the kernel choose.</summary>
    public uint Index { get; set; }

    public ReadOnlySpan<XfrmTemplate> Templates { get; set; }
}
