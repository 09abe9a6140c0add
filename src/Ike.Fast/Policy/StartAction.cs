namespace Ike.Fast.Policy;

/// <summary>What the host does with a connection when the configuration is loaded (swanctl.conf <c>start_action</c>).</summary>
public enum StartAction
{
    /// <summary>Wait for the peer (responder only).</summary>
    None = 0,

    /// <summary>Initiate the connection's children at once.</summary>
    Start = 1,
}
