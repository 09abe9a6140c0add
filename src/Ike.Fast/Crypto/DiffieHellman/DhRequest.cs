namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// One Diffie-Hellman job for an <see cref="IDhEngine"/>. Memory (not Span) so that a batched engine can hold
/// requests until a batch is full and complete them asynchronously; callers keep the buffers alive until then.
/// </summary>
public readonly struct DhRequest
{
    private DhRequest(DhOperation operation, DhGroupId group, DhPrivateKey? privateKey, ReadOnlyMemory<byte> peerPublicValue, Memory<byte> destination)
    {
        Operation = operation;
        Group = group;
        PrivateKey = privateKey;
        PeerPublicValue = peerPublicValue;
        Destination = destination;
    }

    /// <summary>What to do.</summary>
    public DhOperation Operation { get; }

    /// <summary>The group (for ComputeShared, the private key's group).</summary>
    public DhGroupId Group { get; }

    /// <summary>ComputeShared: our private value (consumed on success).</summary>
    public DhPrivateKey? PrivateKey { get; }

    /// <summary>ComputeShared: the peer's KE payload data.</summary>
    public ReadOnlyMemory<byte> PeerPublicValue { get; }

    /// <summary>GenerateKeyPair: receives our public value; ComputeShared: receives g^xy.</summary>
    public Memory<byte> Destination { get; }

    /// <summary>A request for a fresh key pair; the public value goes to <paramref name="publicValueDestination"/>.</summary>
    public static DhRequest GenerateKeyPair(DhGroupId group, Memory<byte> publicValueDestination) =>
        new(DhOperation.GenerateKeyPair, group, null, default, publicValueDestination);

    /// <summary>A request for g^xy from our private key and the peer's public value.</summary>
    public static DhRequest ComputeShared(DhPrivateKey privateKey, ReadOnlyMemory<byte> peerPublicValue, Memory<byte> sharedSecretDestination)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        return new(DhOperation.ComputeShared, privateKey.Group.Id, privateKey, peerPublicValue, sharedSecretDestination);
    }
}
