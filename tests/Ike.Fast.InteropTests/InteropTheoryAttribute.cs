namespace Ike.Fast.InteropTests;

/// <summary>
/// A theory that is skipped, with the reason, when the machine cannot run interop tests against the peer (not root,
/// peer not installed), unless <c>CI=true</c>: then it runs and the fixture fails with the same reason.
/// Rows still carry their own <c>Skip</c> for engine features that are missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class InteropTheoryAttribute : TheoryAttribute
{
    public InteropTheoryAttribute(PeerKind peer)
    {
        Peer = peer;
        if (InteropEnvironment.SkipReason(peer) is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>The peer the test needs.</summary>
    public PeerKind Peer { get; }
}
