using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Known-answer tests of our initiator against strongSwan: with charon's recorded cookie, nonces, M-ID, SPI and DH
/// values injected, our MM1 SA payload must equal charon's SAi_b, and our MM5, QM1 and QM3 must be byte-identical
/// to the ones charon sent (same HASH_I, HASH(1), HASH(3), IV chains and padding); charon's MM6 (HASH_R) and QM2
/// (HASH(2)) must verify, and the installed keys must equal charon's logged KEYMAT. The <c>sw-ls</c> sessions have
/// Libreswan (pluto) as the responder: its MM6 and QM2 must verify against our keys too.
/// </summary>
public class InitiatorKnownAnswerTests
{
    [Theory]
    [InlineData("mm-psk-aes128-sha256-modp2048__sw-sw")]
    [InlineData("mm-psk-pfs-aes128-sha256-modp2048__sw-sw")]
    [InlineData("mm-psk-pfs-aes256-sha256-ecp256__sw-sw")]
    [InlineData("mm-psk-3des-sha1-modp2048__sw-sw")]
    [InlineData("mm-psk-aes128-sha256-modp2048__sw-ls")]
    [InlineData("mm-psk-pfs-aes128-sha256-modp2048__sw-ls")]
    [InlineData("mm-psk-aes256-sha256-ecp256__sw-ls")]
    [InlineData("mm-psk-aes256-sha1-modp1536__sw-ls")]
    [InlineData("mm-psk-3des-sha1-modp2048__sw-ls")]
    [InlineData("mm-psk-aes256-sha256-x25519__sw-ls")]
    public void OurInitiator_ReproducesCharonsInitiator(string id)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors", id + ".json")));
        JsonElement v = doc.RootElement;
        JsonElement qm = v.GetProperty("phase2")[0];
        JsonElement[] messages = [.. v.GetProperty("messages").EnumerateArray()];
        string ike = v.GetProperty("description").GetProperty("strongswan_ike").GetString()!;
        string esp = v.GetProperty("description").GetProperty("strongswan_esp").GetString()!;

        var dh = new RecordedDhEngine().Expect(Hex(v, "g_xi"), Hex(v, "shared_secret"));
        if (qm.GetProperty("g_qm_xi").ValueKind == JsonValueKind.String)
        {
            dh.Expect(Hex(qm, "g_qm_xi"), Hex(qm, "g_qm_xy_logged"));
        }

        var random = new DeterministicEngineRandom(3).Then(Hex(v, "cky_i")).Then(Hex(v, "ni")).Then(Hex(qm, "message_id")).Then(Hex(qm, "ni"));
        var spis = new CountingSpiAllocator(1);
        spis.Scripted.Enqueue(BinaryPrimitives.ReadUInt32BigEndian(Hex(qm, "spi_i")));
        var config = new PeerConfig
        {
            Name = "kat",
            LocalAddress = IPAddress.Parse("192.0.2.1"),
            RemoteAddress = IPAddress.Parse("192.0.2.2"),
            IkeProposals = ProposalParser.ParseIke(ike.Replace("x25519", "curve25519", StringComparison.Ordinal)),
            IkeLifetime = TimeSpan.FromSeconds(v.GetProperty("negotiated_phase1").GetProperty("life").GetProperty("duration").GetInt32()),
            Children =
            [
                new ChildConfig
                {
                    Name = "net",
                    LocalTs = [TrafficSelector.Parse("198.51.100.0/24")],
                    RemoteTs = [TrafficSelector.Parse("203.0.113.0/24")],
                    Proposals = ProposalParser.ParseEsp(esp),
                    LifeTime = TimeSpan.FromSeconds(3960),
                },
            ],
        };
        var endpoint = new Endpoint([config], new InMemorySecretStore().AddPreSharedKey(v.GetProperty("psk").GetString()!), dh, random, spis);
        var local = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 500);
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 500);
        byte[] buffer = new byte[65536];
        var events = new List<EngineEvent>();

        byte[] Next()
        {
            while (endpoint.PollEvent(out EngineEvent e))
            {
                events.Add(e);
            }

            return endpoint.PollTransmit(buffer, out Transmit t) ? buffer[..t.Length] : [];
        }

        byte[] Feed(int index)
        {
            endpoint.Handle(0, local, remote, Convert.FromHexString(messages[index].GetProperty("hex").GetString()!));
            return Next();
        }

        string Recorded(int index) => messages[index].GetProperty("hex").GetString()!;

        Assert.True(endpoint.Initiate("kat", "net", 0));
        /* MM1 HDR, SA --> */
        byte[] mm1 = Next();
        int saLength = BinaryPrimitives.ReadUInt16BigEndian(mm1.AsSpan(IsakmpHeader.Size + 2));
        Assert.Equal(v.GetProperty("sai_b").GetString(), Convert.ToHexStringLower(mm1.AsSpan(IsakmpHeader.Size + 4, saLength - 4)));
        /* <-- MM2 HDR, SA   then MM3 HDR, KE, Ni --> */
        Assert.NotEmpty(Feed(1));
        /* <-- MM4 HDR, KE, Nr   then MM5 HDR*, IDii, HASH_I, N(INITIAL-CONTACT) --> */
        Assert.Equal(Recorded(4), Convert.ToHexStringLower(Feed(3)));
        /* <-- MM6 HDR*, IDir, HASH_R   then QM1 HDR*, HASH(1), SA, Ni [, KE], IDci, IDcr --> */
        Assert.Equal(Recorded(6), Convert.ToHexStringLower(Feed(5)));
        Assert.Single(events, e => e.Kind == EngineEventKind.Phase1Up);
        /* <-- QM2 HDR*, HASH(2), SA, Nr [, KE], IDci, IDcr   then QM3 HDR*, HASH(3) --> */
        Assert.Equal(Recorded(8), Convert.ToHexStringLower(Feed(7)));
        Assert.DoesNotContain(events, e => e.Kind == EngineEventKind.Diagnostic);
        ChildSaInfo child = Assert.Single(events, e => e.Kind == EngineEventKind.InstallChildSa).ChildSa!;
        JsonElement inbound = qm.GetProperty("sa").GetProperty("responder_to_initiator");
        JsonElement outbound = qm.GetProperty("sa").GetProperty("initiator_to_responder");
        Assert.Equal(inbound.GetProperty("keymat_recomputed").GetString(), Convert.ToHexStringLower([.. child.InboundEncryptionKey, .. child.InboundIntegrityKey]));
        Assert.Equal(outbound.GetProperty("keymat_recomputed").GetString(), Convert.ToHexStringLower([.. child.OutboundEncryptionKey, .. child.OutboundIntegrityKey]));
    }

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);
}
