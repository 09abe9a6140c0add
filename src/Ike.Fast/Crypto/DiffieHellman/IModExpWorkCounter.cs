namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Observer of the work an exponentiation does. The production instantiation (<see cref="NoModExpWorkCounter"/>)
/// is an empty struct the JIT removes; tests plug in a counting struct to prove that the number of
/// multiplications, squarings and table reads depends only on the exponent length, never on its bits.
/// </summary>
internal interface IModExpWorkCounter
{
    void OnMultiply();

    void OnSquare();

    void OnTableEntryRead(int entries);
}
