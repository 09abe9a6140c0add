namespace Ike.Fast.Host.Kernel;

/// <summary>
/// How IkeFast's kernel state is recognisable, in <c>ip xfrm state</c> / <c>ip xfrm policy</c> and to the installer
/// itself: reqids 0x49460001..0x4946ffff and policy priorities 0x49460000..0x4946ffff ("IF" in the top 16 bits). What the
/// installer owns is also journalled (<see cref="OwnedStateJournal"/>), so a restart after a crash flushes exactly the
/// SAs and policies the previous run installed, never foreign ones.
/// </summary>
public static class XfrmOwnership
{
    /// <summary>First reqid (exclusive) of the range; the low 16 bits count children.</summary>
    public const uint ReqIdBase = 0x4946_0000;

    /// <summary>Policies get <c>PriorityBase + (PrioritySpan - 1 - specificity)</c>.</summary>
    public const uint PriorityBase = 0x4946_0000;

    public const uint PrioritySpan = 0x1_0000;

    /// <summary>True for a reqid in IkeFast's range.</summary>
    public static bool IsOwnedReqId(uint reqId) => reqId > ReqIdBase && reqId < ReqIdBase + 0x1_0000;

    /// <summary>True for a policy priority in IkeFast's range.</summary>
    public static bool IsOwnedPriority(uint priority) => priority >= PriorityBase && priority < PriorityBase + PrioritySpan;
}
