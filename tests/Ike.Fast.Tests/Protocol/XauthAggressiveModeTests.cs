using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Protocol.Transaction;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>XAUTH after Aggressive Mode (draft-beaulieu-ike-xauth section 4): the gateway starts it once AM3 is in.</summary>
public sealed class XauthAggressiveModeTests
{
    private sealed class Users(string user, string password) : IXauthBackend
    {
        public bool Verify(string connection, string u, ReadOnlySpan<byte> p) =>
            u == user && p.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(password));
    }

    [Fact]
    public void AfterAggressiveMode_XauthThenQuickMode()
    {
        Conversation c = Create("secret");
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        /* AM1..AM3, then <-- REQUEST; REPLY -->; <-- SET(STATUS=1); ACK -->; then QM1..QM3 */
        Assert.Equal(3 + 4 + 3, c.Wire.Count);
        Assert.All(c.Wire.Take(3), w => Assert.Equal(ExchangeType.Aggressive, (ExchangeType)w.Bytes[18]));
        Assert.All(c.Wire.Skip(3).Take(4), w => Assert.Equal(ExchangeType.Transaction, (ExchangeType)w.Bytes[18]));
        Assert.Contains(c.EventsB, e => e.Diagnostic == DiagnosticCode.XauthSucceeded);
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void AfterAggressiveMode_WrongPassword_NoChildSa()
    {
        Conversation c = Create("guess");
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Contains(c.EventsB, e => e.Diagnostic == DiagnosticCode.XauthFailed);
        Assert.Empty(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Empty(c.Of(false, EngineEventKind.InstallChildSa));
    }

    private static Conversation Create(string password)
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, mode: ExchangeMode.Aggressive);
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, mode: ExchangeMode.Aggressive, aggressiveResponder: true);
        return new Conversation(With(a, XauthRole.Client, "alice", password), With(b, XauthRole.Server, null, null),
            optionsB: new EndpointOptions { XauthBackend = new Users("alice", "secret") });
    }

    private static PeerConfig With(PeerConfig c, XauthRole role, string? user, string? password) => new()
    {
        Name = c.Name,
        LocalAddress = c.LocalAddress,
        RemoteAddress = c.RemoteAddress,
        Mode = c.Mode,
        AggressiveModePskResponder = c.AggressiveModePskResponder,
        IkeProposals = c.IkeProposals,
        LocalAuth = c.LocalAuth,
        RemoteAuth = c.RemoteAuth,
        Children = c.Children,
        Xauth = role,
        XauthUserName = user,
        XauthPassword = password,
    };
}
