using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

public class MainModeTests
{
    [Fact]
    public void MainModePsk_BothRoles_EstablishPhase1AndInstallMatchingChildSas()
    {
        var c = Conversation.Create();
        Assert.True(c.A.Initiate("conn", "child", c.Now));
        /* MM1 HDR, SA -->                 */
        /* <-- MM2 HDR, SA                 */
        /* MM3 HDR, KE, Ni -->             */
        /* <-- MM4 HDR, KE, Nr             */
        /* MM5 HDR*, IDii, HASH_I, N(IC) --> */
        /* <-- MM6 HDR*, IDir, HASH_R      */
        /* QM1 HDR*, HASH(1), SA, Ni, IDci, IDcr --> */
        /* <-- QM2 HDR*, HASH(2), SA, Nr, IDci, IDcr */
        /* QM3 HDR*, HASH(3) -->           */
        c.Pump();
        Assert.Equal(9, c.Wire.Count);
        Assert.Equal([true, false, true, false, true, false, true, false, true], c.Wire.Select(w => w.FromA));

        EngineEvent upA = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        EngineEvent upB = Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        Assert.True(upA.IsInitiator);
        Assert.False(upB.IsInitiator);
        Assert.Equal(upA.InitiatorCookie, upB.InitiatorCookie);
        Assert.Equal(upA.ResponderCookie, upB.ResponderCookie);
        Assert.Equal("192.0.2.2", upA.RemoteIdentity!.ToString());
        Assert.Equal("192.0.2.1", upB.RemoteIdentity!.ToString());

        ChildSaInfo a = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        AssertPair(a, b);
        Assert.Equal(EspTransformId.AesCbc, a.Encryption);
        Assert.Equal(128, a.EncryptionKeyBits);
        Assert.Equal(IpsecAuthenticationAlgorithm.HmacSha2_256, a.Integrity);
        Assert.Equal(16, a.InboundEncryptionKey.Length);
        Assert.Equal(32, a.InboundIntegrityKey.Length);
        Assert.Equal("10.1.0.0/16", a.LocalTs.ToString());
        Assert.Equal("10.2.0.0/16", a.RemoteTs.ToString());
        Assert.Equal("10.2.0.0/16", b.LocalTs.ToString());
        Assert.Equal(IpsecMode.Tunnel, a.Mode);
        Assert.Equal(1, c.A.Counters.Phase1Established);
        Assert.Equal(1, c.B.Counters.ChildSasEstablished);
        Assert.Null(c.A.PollTimeout() is { } t && t <= c.Now ? t : null);
        IkeSaStatus status = Assert.Single(c.B.GetSaStatus());
        Assert.Equal("Established", status.State);
        Assert.Equal("aes128-sha256-modp2048", status.Proposal);
        Assert.Equal(b.InboundSpi, Assert.Single(status.Children).InboundSpi);
        Assert.False(status.IsInitiator);
    }

    [Theory]
    [InlineData("aes128-sha256-modp2048")]
    [InlineData("aes256-sha1-modp1536")]
    [InlineData("3des-sha1-modp2048")]
    [InlineData("aes128-sha256-ecp256")]
    [InlineData("aes256-sha256-curve25519")]
    [InlineData("aes256-sha512-ecp384")]
    public void MainModePsk_EveryIkeSuite(string ike)
    {
        var c = Conversation.Create(ike);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        AssertPair(Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
        Assert.Contains(ike, Assert.Single(c.Of(false, EngineEventKind.Phase1Up)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProposalSelection_ResponderLocalPreferenceWins()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, "aes256-sha1-modp1536, aes128-sha256-ecp256, aes128-sha256-modp2048");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, "aes128-sha256-modp2048, aes128-sha256-ecp256");
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Contains("aes128-sha256-modp2048", Assert.Single(c.Of(true, EngineEventKind.Phase1Up)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoCommonProposal_ResponderAnswersNoProposalChosen_InitiatorOnlyLogsIt()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, "aes256-sha1-modp1536");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, "aes128-sha256-modp2048");
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Equal(1, c.B.Counters[DiagnosticCode.NoProposalChosen]);
        EngineEvent logged = Assert.Single(c.Of(true, EngineEventKind.Diagnostic), e => e.Diagnostic == DiagnosticCode.UnprotectedNotify);
        Assert.Equal(NotifyMessageType.NoProposalChosen, logged.Notify);
        Assert.Empty(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Equal(0, c.B.Phase1SaCount);
    }

    [Fact]
    public void WrongPsk_ResponderDropsMm5Silently_InitiatorGivesUp()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB);
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA);
        var c = new Conversation(a, b);
        c.A = new Endpoint([a], new InMemorySecretStore().AddPreSharedKey("not the same key"), c.DhA, new DeterministicEngineRandom(5), c.SpisA);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Equal(1, c.B.Counters[DiagnosticCode.DecryptionFailed] + c.B.Counters[DiagnosticCode.AuthenticationFailed]);
        c.RunUntilQuiet();

        Assert.Empty(c.Of(false, EngineEventKind.Phase1Up));
        Assert.Contains(c.Of(true, EngineEventKind.Phase1Down), e => e.Diagnostic == DiagnosticCode.Timeout);
        Assert.Equal(0, c.A.Phase1SaCount);
        Assert.Equal(0, c.B.Phase1SaCount);
    }

    [Fact]
    public void WrongPeerIdentity_AnsweredWithInvalidIdInformation()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, localId: "@a.ikev1.test");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, remoteId: "@someone-else.test");
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Equal(1, c.B.Counters[DiagnosticCode.InvalidIdInformation]);
        Assert.Contains(c.Of(true, EngineEventKind.Diagnostic), e => e.Notify == NotifyMessageType.InvalidIdInformation);
        Assert.Empty(c.Of(false, EngineEventKind.Phase1Up));
    }

    [Fact]
    public void FqdnIdentities_AreCarriedAndChecked()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, localId: "@a.ikev1.test", remoteId: "@b.ikev1.test");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, localId: "@b.ikev1.test", remoteId: "@a.ikev1.test");
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Equal("b.ikev1.test", Assert.Single(c.Of(true, EngineEventKind.Phase1Up)).RemoteIdentity!.ToString());
        Assert.Equal(IdentificationType.Fqdn, Assert.Single(c.Of(false, EngineEventKind.Phase1Up)).RemoteIdentity!.Type);
    }

    internal static void AssertPair(ChildSaInfo a, ChildSaInfo b)
    {
        Assert.Equal(a.InboundSpi, b.OutboundSpi);
        Assert.Equal(a.OutboundSpi, b.InboundSpi);
        Assert.Equal(a.InboundEncryptionKey, b.OutboundEncryptionKey);
        Assert.Equal(a.InboundIntegrityKey, b.OutboundIntegrityKey);
        Assert.Equal(a.OutboundEncryptionKey, b.InboundEncryptionKey);
        Assert.Equal(a.OutboundIntegrityKey, b.InboundIntegrityKey);
        Assert.NotEqual(a.InboundEncryptionKey.Concat(a.InboundIntegrityKey), a.OutboundEncryptionKey.Concat(a.OutboundIntegrityKey));
        Assert.Equal(a.Encryption, b.Encryption);
        Assert.Equal(a.Integrity, b.Integrity);
        Assert.Equal(a.LifetimeSeconds, b.LifetimeSeconds);
        Assert.Equal(a.LocalTs, b.RemoteTs);
        Assert.Equal(a.RemoteTs, b.LocalTs);
        Assert.Equal(a.MessageId, b.MessageId);
    }
}
