namespace Ike.Fast.Protocol.Transaction;

/// <summary>Checks XAUTH credentials (server side). Called on the engine thread: must not block for long.</summary>
public interface IXauthBackend
{
    /// <summary>True when <paramref name="password"/> is the password of <paramref name="user"/> for the connection.</summary>
    bool Verify(string connection, string user, ReadOnlySpan<byte> password);
}
