namespace Ike.Fast.Protocol.Transaction;

/// <summary>What a Transaction exchange we started is for (the reply is interpreted accordingly).</summary>
internal enum TransactionKind
{
    /// <summary>XAUTH REQUEST(user, password) → REPLY.</summary>
    XauthRequest = 1,

    /// <summary>XAUTH SET(STATUS) → ACK.</summary>
    XauthStatus = 2,
}
