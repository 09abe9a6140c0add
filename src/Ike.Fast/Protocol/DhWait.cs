using System.Net;
using System.Security.Cryptography;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// One exchange parked on a deferred Diffie-Hellman operation (<see cref="IDhEngine.Submit"/>): the request's
/// destinations (kept alive until the engine posts the result), what to resume (<see cref="DhResume"/>, the message to
/// replay) and at most one datagram of the same exchange that arrived meanwhile. Pooled by the endpoint; the shared
/// secret buffer is pinned and wiped after every use.
/// </summary>
internal sealed class DhWait
{
    /// <summary>Largest shared secret (MODP-8192: 1,024 bytes).</summary>
    public const int MaxSharedLength = 1024;

    /// <summary>The SA, or null once it is gone (the result is then wiped and dropped).</summary>
    public IkeSa? Sa;

    /// <summary>Quick Mode message ID (0 for Phase 1 and for a Quick Mode not started yet).</summary>
    public uint MessageId;

    /// <summary>Registered for datagram routing (a retransmit is dropped, a next message queued).</summary>
    public bool Routed;

    public DhResume Resume;
    public long Token;
    public DhOperation Operation;

    /// <summary>The engine posted <see cref="Result"/> and it has not been read yet.</summary>
    public bool Completed;

    public DhResult Result;

    /// <summary>Our key pair once generated (kept across a second park for g^xy).</summary>
    public DhPrivateKey? Key;

    public byte[] PublicValue = [];

    /// <summary>GenerateKeyPair's destination while it is pending.</summary>
    public byte[]? KeyDestination;

    /// <summary>ComputeShared's destination (pinned: g^xy never moves in memory).</summary>
    public readonly byte[] Shared = GC.AllocateArray<byte>(MaxSharedLength, pinned: true);

    /// <summary>The datagram whose handler runs again (empty for <see cref="DhResume.ResponderKeys"/> and the starts).</summary>
    public byte[] Message = [];
    public int MessageLength;
    public IPEndPoint? Local;
    public IPEndPoint? Remote;

    /// <summary>AM1: the offer the responder chose (the replay writes it back).</summary>
    public IkeTransformOffer Offer;

    /// <summary>StartQuickMode: the child to negotiate.</summary>
    public ChildConfig? Child;

    /// <summary>For a parked Quick Mode start: the pair it rekeys (Endpoint.Rekey.cs), or null.</summary>
    public ChildSaInfo? Rekeying;

    /// <summary>A later datagram of the exchange that arrived while the operation was pending (bounded: one).</summary>
    public byte[] Next = [];
    public int NextLength = -1;
    public IPEndPoint? NextLocal;
    public IPEndPoint? NextRemote;

    public ReadOnlySpan<byte> ParkedMessage => Message.AsSpan(0, MessageLength);

    public bool HasNext => NextLength >= 0;

    public void Store(ReadOnlySpan<byte> message)
    {
        if (Message.Length < message.Length)
        {
            Message = new byte[Math.Max(message.Length, 512)];
        }

        message.CopyTo(Message);
        MessageLength = message.Length;
    }

    public void StoreNext(ReadOnlySpan<byte> message, IPEndPoint? local, IPEndPoint? remote)
    {
        if (Next.Length < message.Length)
        {
            Next = new byte[Math.Max(message.Length, 512)];
        }

        message.CopyTo(Next);
        NextLength = message.Length;
        NextLocal = local;
        NextRemote = remote;
    }

    /// <summary>Forgets everything (wipes g^xy); the key, if any, belongs to its SA or exchange by now.</summary>
    public void Reset()
    {
        CryptographicOperations.ZeroMemory(Shared);
        Sa = null;
        MessageId = 0;
        Routed = false;
        Completed = false;
        Result = default;
        Key = null;
        PublicValue = [];
        KeyDestination = null;
        MessageLength = 0;
        Local = Remote = null;
        Offer = default;
        Child = null;
        Rekeying = null;
        NextLength = -1;
        NextLocal = NextRemote = null;
    }
}
