using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Wraps a DH engine and counts operations (proves a retransmission causes no second DH).</summary>
internal sealed class CountingDhEngine(IDhEngine inner) : IDhEngine
{
    public int KeyPairs { get; private set; }

    public int SharedSecrets { get; private set; }

    public DhResult Execute(in DhRequest request)
    {
        if (request.Operation == DhOperation.GenerateKeyPair)
        {
            KeyPairs++;
        }
        else
        {
            SharedSecrets++;
        }

        return inner.Execute(request);
    }

    // A deferring engine stays deferring behind the counter (AsyncDh* conversation tests).
    public bool CanDefer => inner.CanDefer;

    public bool Submit(in DhRequest request, IDhCompletionSink sink, long token, out DhResult result)
    {
        if (request.Operation == DhOperation.GenerateKeyPair)
        {
            KeyPairs++;
        }
        else
        {
            SharedSecrets++;
        }

        return inner.Submit(request, sink, token, out result);
    }
}
