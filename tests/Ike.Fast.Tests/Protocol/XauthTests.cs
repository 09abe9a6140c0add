using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Protocol.Transaction;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>XAUTH over the Transaction exchange (draft-beaulieu-ike-xauth): A is the road warrior, B the gateway.</summary>
public sealed class XauthTests
{
    private sealed class Users(string user, string password) : IXauthBackend
    {
        public int Calls { get; private set; }

        public bool Verify(string connection, string u, ReadOnlySpan<byte> p)
        {
            Calls++;
            return u == user && p.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(password));
        }
    }

    [Fact]
    public void CorrectPassword_XauthSucceeds_ThenQuickMode()
    {
        var users = new Users("alice", "secret");
        Conversation c = Create("alice", "secret", users);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        /* MM1..MM6, then <-- REQUEST(user, pw); REPLY -->; <-- SET(STATUS=1); ACK -->; then QM1..QM3 */
        Assert.Equal(6 + 4 + 3, c.Wire.Count);
        Assert.All(c.Wire.Skip(6).Take(4), w => Assert.Equal(ExchangeType.Transaction, (ExchangeType)w.Bytes[18]));
        Assert.Equal([false, true, false, true], c.Wire.Skip(6).Take(4).Select(w => w.FromA));
        Assert.Equal(1, users.Calls);
        Assert.Contains(c.EventsB, e => e.Diagnostic == DiagnosticCode.XauthSucceeded && e.Message!.Contains("alice", StringComparison.Ordinal));
        Assert.Contains(c.EventsA, e => e.Diagnostic == DiagnosticCode.XauthSucceeded);
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void WrongPassword_XauthFails_BothSidesDropTheSa_NoChildSa()
    {
        Conversation c = Create("alice", "guess", new Users("alice", "secret"));
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Contains(c.EventsB, e => e.Diagnostic == DiagnosticCode.XauthFailed);
        Assert.Contains(c.EventsA, e => e.Diagnostic == DiagnosticCode.XauthFailed);
        Assert.Single(c.Of(true, EngineEventKind.Phase1Down));
        Assert.Single(c.Of(false, EngineEventKind.Phase1Down));
        Assert.Empty(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Empty(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void QuickModeBeforeXauth_IsDroppedByTheServer()
    {
        Conversation c = Create("alice", "secret", new Users("alice", "secret"));
        c.A.Initiate("conn", "child", c.Now);
        // Drop the server's REQUEST: the client never authenticates, so it must not start Quick Mode either.
        c.Filter = (fromA, index, bytes) => !fromA && (ExchangeType)bytes[18] == ExchangeType.Transaction ? null : bytes;
        c.Pump();
        Assert.Equal(7, c.Wire.Count);
        Assert.Empty(c.Of(true, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void Phase1Proposal_CarriesXauthInitPreShared()
    {
        Conversation c = Create("alice", "secret", new Users("alice", "secret"));
        c.A.Initiate("conn", "child", c.Now);
        c.Pump(1);
        byte[] mm1 = c.Wire[0].Bytes;
        // The Authentication Method attribute (type 3, basic: 0x8003) with value 65001 (0xfde9).
        Assert.True(mm1.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x80, 0x03, 0xfd, 0xe9]) > 0);
    }

    [Fact]
    public void LostReply_ServerRetransmitsRequest_ClientResendsItsReply()
    {
        Conversation c = Create("alice", "secret", new Users("alice", "secret"));
        c.A.Initiate("conn", "child", c.Now);
        bool dropped = false;
        c.Filter = (fromA, index, bytes) =>
        {
            if (fromA && !dropped && (ExchangeType)bytes[18] == ExchangeType.Transaction)
            {
                dropped = true;
                return null;
            }

            return bytes;
        };
        c.Pump();
        Assert.True(dropped);
        Assert.Empty(c.Of(true, EngineEventKind.InstallChildSa));
        c.Tick(); // the server's REQUEST retransmission
        c.Pump();
        Assert.Contains(c.EventsB, e => e.Diagnostic == DiagnosticCode.XauthSucceeded);
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void Pbkdf2Backend_VerifiesItsOwnLines()
    {
        var backend = new Pbkdf2XauthBackend([Pbkdf2XauthBackend.CreateLine("bob", "hunter2"), "# comment", ""]);
        Assert.True(backend.Verify("conn", "bob", "hunter2"u8));
        Assert.False(backend.Verify("conn", "bob", "hunter3"u8));
        Assert.False(backend.Verify("conn", "eve", "hunter2"u8));
        Assert.Throws<FormatException>(() => new Pbkdf2XauthBackend(["bob:00"]));
    }

    private static Conversation Create(string user, string password, IXauthBackend backend)
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB);
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA);
        return new Conversation(With(a, XauthRole.Client, user, password), With(b, XauthRole.Server, null, null),
            optionsB: new EndpointOptions { XauthBackend = backend });
    }

    private static PeerConfig With(PeerConfig c, XauthRole role, string? user, string? password) => new()
    {
        Name = c.Name,
        LocalAddress = c.LocalAddress,
        RemoteAddress = c.RemoteAddress,
        Mode = c.Mode,
        IkeProposals = c.IkeProposals,
        LocalAuth = c.LocalAuth,
        RemoteAuth = c.RemoteAuth,
        Children = c.Children,
        Xauth = role,
        XauthUserName = user,
        XauthPassword = password,
    };
}
