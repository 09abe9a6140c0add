using System.Collections;
using System.Reflection;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// <see cref="IkeSa"/>, <see cref="QuickModeExchange"/> and the lifecycle records are pooled: Reset must bring every field back to what a
/// new object has. Each settable field of a simple type is set to a non-default value by reflection, then Reset runs
/// and the object is compared with a new one field by field, so a field added later without its Reset line fails here.
/// </summary>
public class PooledStateResetTests
{
    [Fact]
    public void IkeSaReset_RestoresEveryField()
    {
        var pool = new ExactLengthArrayPool();
        var sa = new IkeSa();
        Scribble(sa);
        sa.AddExchange(7, new QuickModeExchange(), new Stack<Dictionary<uint, QuickModeExchange>>());
        sa.CompletedMessageIds.Add(9);
        sa.Ni = pool.Copy([1, 2, 3]);
        sa.Gxi = pool.Copy([4, 5, 6]);
        sa.Flight.Arm(5, 10, awaitingReply: true);
        sa.Flight.RememberIncoming([1, 2, 3]);
        sa.Dpd.Outstanding = true;
        sa.Dpd.NextProbeAt = 42;
        sa.XauthUser = "user";
        sa.LastTransactionReply = (3, [1, 2]);
        sa.LastTransactionRequest = new Flight();
        sa.AddTransaction(5, new Ike.Fast.Protocol.Transaction.TransactionExchange { MessageId = 5, Kind = default });
        sa.Lifecycle = new Phase1Lifecycle();
        int generation = sa.Generation;
        var exchanges = new Stack<QuickModeExchange>();
        sa.Reset(pool, exchanges, 16);

        Assert.Equal(generation + 1, sa.Generation);
        Assert.Single(exchanges);
        Assert.Equal(0, sa.CompletedMessageIds.Count);
        Assert.False(sa.HasNegotiation); // the Phase 1 exchange state went back to its free list
        AssertLikeNew(sa, new IkeSa(), nameof(IkeSa.Generation));
        AssertLikeNew(sa.Flight, new Flight(), nameof(Flight.Buffer));
        // The XAUTH / Mode-Config part lives in a TransactionState kept with the SA: read through the SA, all empty again.
        Assert.Null(sa.XauthUser);
        Assert.Equal(default, sa.LastTransactionReply);
        Assert.Empty(sa.Transactions);
        Assert.True(sa.Leases.IsEmpty);
        Assert.Null(sa.AssignedConfiguration);
        Assert.Null(sa.Lifecycle);
        Assert.Equal(default, sa.Dpd);
    }

    [Fact]
    public void TransactionStateReset_RestoresEveryField()
    {
        var state = new Ike.Fast.Protocol.Transaction.TransactionState();
        Scribble(state);
        state.XauthUser = "user";
        state.LastTransactionReply = (3, [1, 2]);
        state.LastTransactionRequest = new Flight();
        state.Transactions[5] = new Ike.Fast.Protocol.Transaction.TransactionExchange { MessageId = 5, Kind = default };
        state.Reset();
        AssertLikeNew(state, new Ike.Fast.Protocol.Transaction.TransactionState());
        Assert.Null(state.XauthUser);
        Assert.Null(state.AssignedConfiguration);
        Assert.Equal(default, state.LastTransactionReply);
    }

    [Fact]
    public void QuickModeExchangeReset_RestoresEveryField()
    {
        var pool = new ExactLengthArrayPool();
        var qm = new QuickModeExchange();
        Scribble(qm);
        int generation = qm.Generation;
        qm.Reset(pool);
        Assert.Equal(generation + 1, qm.Generation);
        AssertLikeNew(qm, new QuickModeExchange(), nameof(QuickModeExchange.Generation));
    }

    [Fact]
    public void IkeSa_EmptyExchangeTableGoesBackToThePool()
    {
        var tables = new Stack<Dictionary<uint, QuickModeExchange>>();
        var sa = new IkeSa();
        Assert.False(sa.HoldsEmptyExchangeTable);
        sa.AddExchange(7, new QuickModeExchange(), tables);
        sa.ReleaseExchangeTable(tables, 16);
        Assert.Empty(tables); // not empty: kept
        Assert.True(sa.Exchanges.Remove(7));
        Assert.True(sa.HoldsEmptyExchangeTable);
        sa.ReleaseExchangeTable(tables, 16);
        Assert.Single(tables);
        Assert.False(sa.HoldsEmptyExchangeTable);
        Assert.Empty(sa.Exchanges);
        var other = new IkeSa();
        other.AddExchange(9, new QuickModeExchange(), tables);
        Assert.Empty(tables); // reused
        Assert.Empty(sa.Exchanges); // the shared empty table was never written
    }

    [Fact]
    public void ChildLifecycleReset_RestoresEveryField()
    {
        var pool = new ExactLengthArrayPool();
        var lc = new ChildLifecycle();
        Scribble(lc);
        lc.Sa = new ChildSaInfo();
        lc.Config = new ChildConfig { Name = "c" };
        lc.Owner = new IkeSa();
        lc.NextSameKey = new ChildLifecycle();
        byte[] nonce = new byte[40]; // longer than NonceCopy.InlineLength: kept in an array from the pool
        nonce.AsSpan().Fill(7);
        lc.LowestNonce.Set(nonce, pool);
        nonce = pool.Rent(40);
        pool.Return(nonce); // another array of that length in the pool: Rent after Reset must give the copy, on top
        lc.Reset(pool);
        Assert.True(lc.LowestNonce.Span.IsEmpty);
        AssertLikeNew(lc, new ChildLifecycle());
        Assert.Null(lc.Sa);
        Assert.Null(lc.Config);
        Assert.Null(lc.Owner);
        Assert.Null(lc.NextSameKey);
        byte[] returned = pool.Rent(40);
        Assert.NotSame(nonce, returned); // the nonce copy went back to the pool, zeroed
        Assert.All(returned, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Phase1LifecycleReset_RestoresEveryField()
    {
        var pool = new ExactLengthArrayPool();
        var p = new Phase1Lifecycle();
        Scribble(p);
        p.Sa = new IkeSa();
        p.Predecessor = new IkeSa();
        p.NextSameKey = new Phase1Lifecycle();
        p.Key = new Phase1Key(new PeerConfig { Name = "p" }, System.Net.IPAddress.Loopback, null);
        p.LowestNonce.Set([1, 2, 3], pool);
        Assert.True(p.LowestNonce.Span.SequenceEqual(new byte[] { 1, 2, 3 }));
        p.Reset(pool);
        Assert.True(p.LowestNonce.Span.IsEmpty);
        AssertLikeNew(p, new Phase1Lifecycle());
        Assert.Null(p.Sa);
        Assert.Null(p.Predecessor);
        Assert.Null(p.NextSameKey);
        Assert.Equal(default, p.Key);
    }

    [Fact]
    public void ExactLengthArrayPool_ZeroesReturnedArrays()
    {
        var pool = new ExactLengthArrayPool();
        byte[] a = pool.Copy([1, 2, 3, 4]);
        pool.Return(a);
        byte[] b = pool.Rent(4);
        Assert.Same(a, b);
        Assert.All(b, x => Assert.Equal(0, x));
        Assert.Empty(pool.Rent(0));
    }

    [Fact]
    public void Phase1NegotiationClear_RestoresEveryField()
    {
        var pool = new ExactLengthArrayPool();
        var n = new Phase1Negotiation();
        Scribble(n);
        n.Fragments = new FragmentReassembler();
        byte[] nonce = n.Ni;
        n.Clear(pool);
        AssertLikeNew(n, new Phase1Negotiation());
        Assert.Null(n.Fragments);
        Assert.All(nonce, x => Assert.Equal(0, x)); // zeroed on its way back to the pool
    }

    [Fact]
    public void IkeSaReleasePhase1Material_ReturnsTheNegotiation()
    {
        var pool = new ExactLengthArrayPool();
        var sa = new IkeSa();
        byte[] nonce = pool.Copy([7, 7, 7]);
        sa.Nr = nonce;
        Assert.True(sa.HoldsPhase1Material);
        sa.ReleasePhase1Material(pool);
        Assert.False(sa.HasNegotiation);
        Assert.False(sa.HoldsPhase1Material);
        Assert.All(nonce, x => Assert.Equal(0, x));
        Assert.Empty(sa.Nr); // a read after that sees an empty one (rented again, and counted for the next release)
        Assert.True(sa.HoldsPhase1Material);
    }

    [Fact]
    public void IkeSaReleaseNegotiationAtEstablishment_ReturnsIt_UnlessFragmentsWereUsed()
    {
        var pool = new ExactLengthArrayPool();
        var sa = new IkeSa();
        byte[] nonce = pool.Copy([7, 7, 7]);
        sa.Ni = nonce;
        sa.ReleaseNegotiationAtEstablishment(pool);
        Assert.False(sa.HasNegotiation);
        Assert.All(nonce, x => Assert.Equal(0, x)); // zeroed on its way back to the pool

        // A fragmented exchange keeps its reassembler (and the rest) until the SA goes idle.
        sa.Fragments = new FragmentReassembler();
        sa.ReleaseNegotiationAtEstablishment(pool);
        Assert.True(sa.HasNegotiation);
        Assert.NotNull(sa.Fragments);
        sa.ReleasePhase1Material(pool);
        Assert.False(sa.HasNegotiation);
    }

    [Fact]
    public void EstablishedSas_HoldNoNegotiation_AndMm5IsStillAnsweredWithinTheReplyCache()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.All(c.A.GetSaStatus().Concat(c.B.GetSaStatus()), s => Assert.Equal("Established", s.State));
        Assert.Equal(0, c.A.Phase1NegotiationsHeld);
        Assert.Equal(0, c.B.Phase1NegotiationsHeld);

        var local = new System.Net.IPEndPoint(Conversation.AddressB, 500);
        var remote = new System.Net.IPEndPoint(Conversation.AddressA, 500);
        byte[] mm6 = c.Wire[5].Bytes;
        c.B.Handle(1, local, remote, c.Wire[4].Bytes); // MM5 repeated: MM6 again, from the flight
        byte[] buffer = new byte[65536];
        Assert.True(c.B.PollTransmit(buffer, out Transmit t));
        Assert.Equal(mm6, buffer.AsSpan(0, t.Length).ToArray());
    }

    [Fact]
    public void ChildSaInfoClearKeys_ReturnsTheHolderAndShowsZeroKeysOfTheSameLengths()
    {
        var pool = new ExactLengthArrayPool();
        var home = new Stack<ChildSaKeys>();
        var keys = new ChildSaKeys { Pool = pool, Home = home, InboundEncryption = pool.Copy([1, 2, 3, 4]), OutboundEncryption = pool.Copy([5, 6, 7, 8]),
            InboundIntegrity = pool.Copy([9, 9]), OutboundIntegrity = pool.Copy([8, 8]) };
        byte[] inbound = keys.InboundEncryption;
        var child = new ChildSaInfo();
        child.AttachKeys(keys);
        Assert.Same(inbound, child.InboundEncryptionKey);
        child.ClearKeys();
        Assert.Single(home);
        AssertLikeNew(keys, new ChildSaKeys(), nameof(ChildSaKeys.Pool), nameof(ChildSaKeys.Home));
        Assert.All(inbound, x => Assert.Equal(0, x));
        Assert.Equal(new byte[4], child.InboundEncryptionKey);
        Assert.Equal(new byte[4], child.OutboundEncryptionKey);
        Assert.Equal(new byte[2], child.InboundIntegrityKey);
        Assert.NotSame(inbound, child.InboundEncryptionKey);
        child.ClearKeys(); // twice: nothing more to return
        Assert.Single(home);

        // A child not made by an endpoint keeps its (zeroed) arrays.
        byte[] own = [1, 2];
        var plain = new ChildSaInfo { InboundEncryptionKey = own };
        plain.ClearKeys();
        Assert.Same(own, plain.InboundEncryptionKey);
        Assert.All(own, x => Assert.Equal(0, x));
    }

    [Fact]
    public void RecentMessageIds_FirstFourInlineThenAnArrayKeptAcrossClear()
    {
        var ids = new RecentMessageIds();
        for (uint i = 1; i <= RecentMessageIds.InlineCapacity; i++)
        {
            ids.Add(i);
        }

        Assert.Equal(RecentMessageIds.InlineCapacity, ids.Count);
        Assert.True(ids.Contains(1) && ids.Contains(RecentMessageIds.InlineCapacity));
        ids.Add(100); // the fifth moves them into an array
        Assert.True(ids.Contains(1) && ids.Contains(100));
        ids.Clear();
        Assert.False(ids.Contains(1));
        ids.Add(5);
        Assert.True(ids.Contains(5));
        Assert.Equal(1, ids.Count);
    }

    [Fact]
    public void RecentMessageIds_RemembersTheLastCapacityIds()
    {
        var ids = new RecentMessageIds();
        for (uint i = 1; i <= RecentMessageIds.Capacity + 10; i++)
        {
            ids.Add(i);
        }

        Assert.Equal(RecentMessageIds.Capacity, ids.Count);
        Assert.False(ids.Contains(10));
        Assert.True(ids.Contains(11));
        Assert.True(ids.Contains(RecentMessageIds.Capacity + 10));
        ids.Clear();
        Assert.False(ids.Contains(11));
    }

    /// <summary>Sets every writable field of a simple type (numbers, enums, bools, byte arrays) to a non-default value.</summary>
    private static void Scribble(object o)
    {
        foreach (FieldInfo f in o.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (f.IsInitOnly)
            {
                continue;
            }

            Type t = f.FieldType;
            object? value = t == typeof(bool) ? true
                : t.IsEnum ? Enum.ToObject(t, 1)
                : t == typeof(byte[]) ? new byte[] { 1, 2, 3 }
                : t.IsPrimitive ? Convert.ChangeType(1, t, System.Globalization.CultureInfo.InvariantCulture)
                : null;
            if (value is not null)
            {
                f.SetValue(o, value);
            }
        }
    }

    private static void AssertLikeNew(object reset, object fresh, params string[] except)
    {
        foreach (FieldInfo f in reset.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (except.Contains(f.Name) || f.Name.Contains("Generation", StringComparison.Ordinal))
            {
                continue;
            }

            object? a = f.GetValue(reset);
            object? b = f.GetValue(fresh);
            switch (a)
            {
                case byte[] bytes:
                    Assert.True(bytes.Length == ((byte[])b!).Length, $"{reset.GetType().Name}.{f.Name} not reset");
                    break;
                case ICollection c:
                    Assert.True(c.Count == 0, $"{reset.GetType().Name}.{f.Name} not emptied");
                    break;
                case Flight or Ike.Fast.Protocol.Transaction.TransactionExchange or Ike.Fast.Protocol.Transaction.TransactionState or RecentMessageIds:
                    break; // compared separately / own tests
                default:
                    Assert.True(SameValue(a, b, f.FieldType, 0), $"{reset.GetType().Name}.{f.Name} is {a}, a new object has {b}");
                    break;
            }
        }
    }

    /// <summary>Equal values; structs field by field (inline arrays skipped: their length field says what counts).</summary>
    private static bool SameValue(object? a, object? b, Type type, int depth)
    {
        if (a is null || b is null || type.IsPrimitive || type.IsEnum || !type.IsValueType)
        {
            return !type.IsValueType && a is not null && b is not null ? true : Equals(a, b); // references: only null-ness here
        }

        if (type.IsDefined(typeof(System.Runtime.CompilerServices.InlineArrayAttribute), false) || depth > 3)
        {
            return true;
        }

        foreach (FieldInfo f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            object? x = f.GetValue(a);
            object? y = f.GetValue(b);
            if (x is byte[] xs && y is byte[] ys ? xs.Length != ys.Length : !SameValue(x, y, f.FieldType, depth + 1))
            {
                return false;
            }
        }

        return true;
    }
}
