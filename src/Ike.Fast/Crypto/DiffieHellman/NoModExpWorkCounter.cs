namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>The do-nothing <see cref="IModExpWorkCounter"/> of the production path (inlined away).</summary>
internal struct NoModExpWorkCounter : IModExpWorkCounter
{
    public readonly void OnMultiply()
    {
    }

    public readonly void OnSquare()
    {
    }

    public readonly void OnTableEntryRead(int entries)
    {
    }
}
