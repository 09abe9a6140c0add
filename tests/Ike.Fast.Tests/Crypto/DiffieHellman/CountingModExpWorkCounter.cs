using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

/// <summary>Counts the work of one exponentiation (test instantiation of the generic hook).</summary>
internal struct CountingModExpWorkCounter : IModExpWorkCounter
{
    public int Multiplies;
    public int Squares;
    public int TableEntriesRead;

    public void OnMultiply() => Multiplies++;

    public void OnSquare() => Squares++;

    public void OnTableEntryRead(int entries) => TableEntriesRead += entries;
}
