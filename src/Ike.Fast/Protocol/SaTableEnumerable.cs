namespace Ike.Fast.Protocol;

/// <summary>
/// The SAs of the endpoint's two tables as one sequence for <c>foreach</c> without an iterator object: the SAs by
/// cookie pair, then the initiator SAs whose responder cookie is not known yet.
/// </summary>
internal readonly struct SaTableEnumerable(HashSet<IkeSa> byCookies, Dictionary<ulong, IkeSa> halfOpenInitiator)
{
    public Enumerator GetEnumerator() => new(byCookies.GetEnumerator(), halfOpenInitiator.Values.GetEnumerator());

    /// <summary>The enumerator (a struct: <c>foreach</c> over it allocates nothing).</summary>
    internal struct Enumerator(HashSet<IkeSa>.Enumerator first, Dictionary<ulong, IkeSa>.ValueCollection.Enumerator second)
    {
        private HashSet<IkeSa>.Enumerator _first = first;
        private Dictionary<ulong, IkeSa>.ValueCollection.Enumerator _second = second;
        private bool _inSecond;

        public IkeSa Current { get; private set; } = null!;

        public bool MoveNext()
        {
            if (!_inSecond)
            {
                if (_first.MoveNext())
                {
                    Current = _first.Current;
                    return true;
                }

                _inSecond = true;
            }

            while (_second.MoveNext())
            {
                if (_second.Current.ResponderCookie == 0)
                {
                    Current = _second.Current;
                    return true;
                }
            }

            return false;
        }
    }
}
