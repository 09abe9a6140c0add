namespace Ike.Fast.Protocol;

/// <summary>
/// A lifecycle record in its key's chain (<see cref="ChildLifecycle"/> by <see cref="ChildSaKey"/>,
/// <see cref="Phase1Lifecycle"/> by <see cref="Phase1Key"/>): the endpoint keeps the first record of each key in a set
/// and the rest hang off it, oldest first, so a key costs no list (issue #7, memory per SA). <see cref="SameKeyChain"/>
/// appends and unlinks.
/// </summary>
internal interface ISameKeyLink<T>
    where T : class, ISameKeyLink<T>
{
    /// <summary>The next record with the same key, or null.</summary>
    T? NextSameKey { get; set; }
}
