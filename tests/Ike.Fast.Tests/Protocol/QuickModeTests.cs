using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

public class QuickModeTests
{
    [Theory]
    [InlineData("aes128-sha256-modp2048", DhGroupId.Modp2048)]
    [InlineData("aes256-sha256-ecp256", DhGroupId.Ecp256)]
    [InlineData("aes128gcm16-curve25519", DhGroupId.Curve25519)]
    public void QuickModeWithPfs_BothSidesDeriveTheSameKeymat(string esp, DhGroupId group)
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", esp: esp);
        c.A.Initiate("conn", "child", c.Now);
        /* ... Main Mode ... */
        /* QM1 HDR*, HASH(1), SA, Ni, KE, IDci, IDcr --> */
        /* <-- QM2 HDR*, HASH(2), SA, Nr, KE, IDci, IDcr */
        /* QM3 HDR*, HASH(3) --> */
        c.Pump();
        ChildSaInfo a = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        MainModeTests.AssertPair(a, b);
        Assert.Equal(group, a.PfsGroup);
        Assert.Equal(2 + 2, c.DhA.KeyPairs + c.DhA.SharedSecrets); // Phase 1 pair + shared, PFS pair + shared
    }

    [Fact]
    public void PfsAndNoPfs_ProduceDifferentKeymatForTheSameNonces()
    {
        var plain = Conversation.Create(esp: "aes128-sha256");
        plain.A.Initiate("conn", "child", 0);
        plain.Pump();
        var pfs = Conversation.Create(esp: "aes128-sha256-modp2048");
        pfs.A.Initiate("conn", "child", 0);
        pfs.Pump();
        ChildSaInfo x = Assert.Single(plain.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo y = Assert.Single(pfs.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.NotEqual(x.InboundEncryptionKey, y.InboundEncryptionKey);
        Assert.Null(x.PfsGroup);
    }

    [Theory]
    [InlineData("aes128gcm16", EspTransformId.AesGcm16, 20, 0)]
    [InlineData("aes256gcm16", EspTransformId.AesGcm16, 36, 0)]
    [InlineData("aes128ctr-sha1", EspTransformId.AesCtr, 20, 20)]
    [InlineData("3des-sha1", EspTransformId.TripleDes, 24, 20)]
    [InlineData("aes256-sha384", EspTransformId.AesCbc, 32, 48)]
    [InlineData("aes192-sha512", EspTransformId.AesCbc, 24, 64)]
    public void EspTransforms_KeymatLengthPerAlgorithm(string esp, EspTransformId id, int encryptionKeyBytes, int integrityKeyBytes)
    {
        var c = Conversation.Create(esp: esp);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        ChildSaInfo a = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        MainModeTests.AssertPair(a, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
        Assert.Equal(id, a.Encryption);
        Assert.Equal(encryptionKeyBytes, a.InboundEncryptionKey.Length);
        Assert.Equal(integrityKeyBytes, a.InboundIntegrityKey.Length);
    }

    [Fact]
    public void AhTransportMode_IsNegotiated()
    {
        PeerConfig Make(bool sideA) => new()
        {
            Name = "conn",
            LocalAddress = sideA ? Conversation.AddressA : Conversation.AddressB,
            RemoteAddress = sideA ? Conversation.AddressB : Conversation.AddressA,
            IkeProposals = ProposalParser.ParseIke("aes128-sha256-ecp256"),
            Children = [new ChildConfig { Name = "child", Proposals = ProposalParser.ParseAh("sha256"), Mode = IpsecMode.Transport }],
        };
        var c = new Conversation(Make(true), Make(false));
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        ChildSaInfo a = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        MainModeTests.AssertPair(a, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
        Assert.Equal(IpsecProtocol.Ah, a.Protocol);
        Assert.Equal(IpsecMode.Transport, a.Mode);
        Assert.Empty(a.InboundEncryptionKey);
        Assert.Equal(32, a.InboundIntegrityKey.Length);
        Assert.Equal("192.0.2.1/32", a.LocalTs.ToString()); // dynamic = the SA's own address
    }

    [Fact]
    public void SeveralQuickModes_RunConcurrently_EachWithItsOwnMessageIdAndIvChain()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", extraChildren: ["web", "db", "mail"]);
        c.A.Initiate("conn", "child", 0);
        c.A.Initiate("conn", "web", 0);
        c.A.Initiate("conn", "db", 0);
        c.A.Initiate("conn", "mail", 0);
        c.Pump();
        // After MM6 the four QM1s leave back to back, before any QM2 comes back.
        Assert.Equal("ABABABAAAABBBBAAAA", string.Concat(c.Wire.Select(w => w.FromA ? 'A' : 'B')));
        List<ChildSaInfo> a = c.Of(true, EngineEventKind.InstallChildSa).Select(e => e.ChildSa!).ToList();
        List<ChildSaInfo> b = c.Of(false, EngineEventKind.InstallChildSa).Select(e => e.ChildSa!).ToList();
        Assert.Equal(4, a.Count);
        Assert.Equal(4, a.Select(x => x.MessageId).Distinct().Count());
        foreach (ChildSaInfo x in a)
        {
            MainModeTests.AssertPair(x, Assert.Single(b, y => y.MessageId == x.MessageId));
        }

        Assert.Equal(["child", "db", "mail", "web"], b.Select(x => x.Child).Order());
    }

    [Fact]
    public void SecondInitiate_ReusesTheEstablishedPhase1()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", extraChildren: ["web"]);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        int before = c.Wire.Count;
        c.A.Initiate("conn", "web", 0);
        c.Pump();
        Assert.Equal(3, c.Wire.Count - before); // one Quick Mode, no new Main Mode
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Equal(2, c.Of(false, EngineEventKind.InstallChildSa).Count);
    }

    [Fact]
    public void ResponderLifetime_ShorterResponderLifetimeIsSentAndHonoured()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, child: b => b.LifeTime = TimeSpan.FromHours(8));
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, child: b => b.LifeTime = TimeSpan.FromMinutes(20));
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Equal(1200, Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!.LifetimeSeconds);
        Assert.Equal(1200, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!.LifetimeSeconds);
        Assert.Equal(1, c.A.Counters[DiagnosticCode.ResponderLifetime]);
    }

    [Fact]
    public void KilobyteLifetime_IsOfferedAndAccepted()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, child: b => b.LifeKilobytes = 4096);
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, child: b => b.LifeKilobytes = 4096);
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Equal(4096, Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!.LifetimeKilobytes);
        Assert.Equal(4096, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!.LifetimeKilobytes);
    }

    [Fact]
    public void NoCommonEspProposal_ProtectedNoProposalChosen_Phase1Unchanged()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, esp: "aes256-sha512");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, esp: "aes128-sha1");
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Equal(1, c.B.Counters[DiagnosticCode.NoProposalChosen]);
        EngineEvent notify = Assert.Single(c.Of(true, EngineEventKind.Diagnostic), e => e.Diagnostic == DiagnosticCode.PeerNotify);
        Assert.Equal(NotifyMessageType.NoProposalChosen, notify.Notify);
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Empty(c.Of(true, EngineEventKind.Phase1Down));
        Assert.Equal(1, c.A.Phase1SaCount);
    }

    [Fact]
    public void MismatchedTrafficSelectors_ProtectedInvalidIdInformation()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, child: b => b.RemoteNet = "172.16.0.0/12");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA);
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Equal(1, c.B.Counters[DiagnosticCode.InvalidIdInformation]);
        Assert.Contains(c.Of(true, EngineEventKind.Diagnostic), e => e.Notify == NotifyMessageType.InvalidIdInformation);
        Assert.Empty(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void NarrowerInitiatorSelectors_AreAcceptedInsideTheResponderPolicy()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, child: b => { b.LocalNet = "10.1.2.0/24"; b.RemoteNet = "10.2.3.4/32"; });
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA);
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        ChildSaInfo sb = Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.Equal("10.2.3.4/32", sb.LocalTs.ToString());
        Assert.Equal("10.1.2.0/24", sb.RemoteTs.ToString());
    }

    [Fact]
    public void TamperedQuickMode1_IsDroppedWithInvalidHash_NoStateChange()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.Filter = (fromA, index, bytes) =>
        {
            if (index == 6)
            {
                bytes = (byte[])bytes.Clone();
                bytes[^20] ^= 0x01; // flips a plaintext bit of the last block through CBC: HASH(1) no longer verifies
            }

            return bytes;
        };
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Equal(1, c.B.Counters[DiagnosticCode.InvalidHash] + c.B.Counters[DiagnosticCode.DecryptionFailed]);
        Assert.Empty(c.Of(false, EngineEventKind.InstallChildSa));
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        // The genuine retransmission (untampered) then succeeds: the IV chain of the exchange was not disturbed.
        c.Filter = null;
        c.Tick();
        c.Pump();
        MainModeTests.AssertPair(Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
    }

    [Fact]
    public void CommitBit_IsAccepted_AndConnectedIsAnswered()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.Filter = (fromA, index, bytes) =>
        {
            if (index == 6)
            {
                bytes = (byte[])bytes.Clone();
                bytes[IsakmpHeader.FlagsOffset] |= (byte)IsakmpFlags.Commit; // header flags are not covered by HASH(1)
            }

            return bytes;
        };
        c.A.Initiate("conn", "child", 0);
        /* QM1 HDR*(C), HASH(1), SA, Ni, IDci, IDcr -->  <-- QM2  QM3 -->  <-- INFO HDR*, HASH(1), N(CONNECTED) */
        c.Pump();
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
        Assert.Equal(10, c.Wire.Count);
        Assert.Contains(c.Of(true, EngineEventKind.Diagnostic), e => e.Notify == NotifyMessageType.Connected);
    }
}
