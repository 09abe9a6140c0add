namespace Ike.Fast.Protocol;

/// <summary>
/// Compares <see cref="Phase1Lifecycle"/> records by their <see cref="Phase1Lifecycle.Key"/>: the endpoint keeps the
/// first record of each key's chain in a set with it, the record being its own key, instead of a dictionary that stored
/// the 24-byte key a second time (a 40-byte entry instead of 16 per ISAKMP SA; issue #7). A record's key is set before
/// it is added and cleared only by <see cref="Phase1Lifecycle.Reset"/>, after it left the set.
/// </summary>
internal sealed class Phase1LifecycleKeyComparer : IEqualityComparer<Phase1Lifecycle>
{
    public static readonly Phase1LifecycleKeyComparer Instance = new();

    public bool Equals(Phase1Lifecycle? x, Phase1Lifecycle? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Key.Equals(y.Key));

    public int GetHashCode(Phase1Lifecycle obj) => obj.Key.GetHashCode();
}
