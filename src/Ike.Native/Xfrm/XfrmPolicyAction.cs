namespace Ike.Native.Xfrm;

/// <summary>XFRM_POLICY_ALLOW/BLOCK.</summary>
public enum XfrmPolicyAction : byte
{
    Allow = 0,
    Block = 1,
}
