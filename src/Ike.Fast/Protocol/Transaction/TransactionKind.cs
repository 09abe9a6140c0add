namespace Ike.Fast.Protocol.Transaction;

/// <summary>What a Transaction exchange we started is for (the reply is interpreted accordingly).</summary>
internal enum TransactionKind
{
    /// <summary>XAUTH REQUEST(user, password) → REPLY.</summary>
    XauthRequest = 1,

    /// <summary>XAUTH SET(STATUS) → ACK.</summary>
    XauthStatus = 2,

    /// <summary>Mode-Config pull: REQUEST → REPLY (client).</summary>
    ModeConfigRequest = 3,

    /// <summary>Mode-Config push: SET → ACK (server).</summary>
    ModeConfigSet = 4,
}
