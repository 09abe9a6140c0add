namespace Ike.Native.Xfrm;

/// <summary>XFRM_POLICY_IN/OUT/FWD.</summary>
public enum XfrmPolicyDirection : byte
{
    In = 0,
    Out = 1,
    Forward = 2,
}
