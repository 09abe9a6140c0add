namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>Outcome of a <see cref="DhRequest"/>.</summary>
public readonly struct DhResult
{
    internal DhResult(DhStatus status, int bytesWritten = 0, DhPrivateKey? privateKey = null)
    {
        Status = status;
        BytesWritten = bytesWritten;
        PrivateKey = privateKey;
    }

    /// <summary>Success or the reason for failure.</summary>
    public DhStatus Status { get; }

    /// <summary>True when <see cref="Status"/> is <see cref="DhStatus.Success"/>.</summary>
    public bool IsSuccess => Status == DhStatus.Success;

    /// <summary>Bytes written to the request's destination (the group's public value or shared secret length).</summary>
    public int BytesWritten { get; }

    /// <summary>GenerateKeyPair: the new private key (the caller owns it and must dispose it if unused).</summary>
    public DhPrivateKey? PrivateKey { get; }

    /// <summary>The Notify Message Type for a peer-caused failure (17 = INVALID-KEY-INFORMATION), else 0.</summary>
    public ushort NotifyMessageType => Status.ToNotifyMessageType();
}
