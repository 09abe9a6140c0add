using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// A DH engine stub that replays a recorded session: key pairs return the recorded public values (with a dummy
/// private key), shared secrets the recorded g^xy, in order. The vectors carry no private values (README).
/// </summary>
internal sealed class RecordedDhEngine : IDhEngine
{
    private readonly Queue<byte[]> _publicValues = new();
    private readonly Queue<byte[]> _sharedSecrets = new();

    public RecordedDhEngine Expect(byte[] ourPublicValue, byte[] sharedSecret)
    {
        _publicValues.Enqueue(ourPublicValue);
        _sharedSecrets.Enqueue(sharedSecret);
        return this;
    }

    public List<byte[]> PeerValues { get; } = [];

    public DhResult Execute(in DhRequest request)
    {
        if (request.Operation == DhOperation.GenerateKeyPair)
        {
            byte[] pub = _publicValues.Dequeue();
            pub.CopyTo(request.Destination.Span);
            DhGroup group = DhGroupRegistry.Get(request.Group);
            byte[] exponent = GC.AllocateArray<byte>(32, pinned: true);
            exponent[0] = 1;
            return new DhResult(DhStatus.Success, pub.Length, DhPrivateKey.ForModp(group, exponent, pub));
        }

        PeerValues.Add(request.PeerPublicValue.ToArray());
        byte[] shared = _sharedSecrets.Dequeue();
        shared.CopyTo(request.Destination.Span);
        request.PrivateKey!.Dispose();
        return new DhResult(DhStatus.Success, shared.Length);
    }
}
