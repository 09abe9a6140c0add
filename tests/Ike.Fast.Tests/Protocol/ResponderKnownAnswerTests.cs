using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Ike.Fast.Crypto;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;
using IkeEncryptionAlgorithm = Ike.Fast.Crypto.IkeEncryptionAlgorithm;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Known-answer tests against strongSwan: our responder is fed charon's recorded initiator messages, with the
/// recorded responder cookie, nonces, SPIs and DH values injected. Charon's MM5 only decrypts and verifies if our
/// SKEYID/Ka/IV and HASH_I equal charon's; our MM6 and QM2 must then be byte-identical to what the charon responder
/// sent (same keys, IV chain, payloads and padding), charon's QM1/QM3 must verify (HASH(1), HASH(3)), our KEYMAT must
/// equal the logged ESP keys, and charon's Delete exchanges must verify (Informational HASH(1)).
/// </summary>
public class ResponderKnownAnswerTests
{
    [Theory]
    [InlineData("mm-psk-aes128-sha256-modp2048__sw-sw")]
    [InlineData("mm-psk-pfs-aes128-sha256-modp2048__sw-sw")]
    [InlineData("mm-psk-aes256-sha256-ecp256__sw-sw")]
    [InlineData("mm-psk-pfs-aes256-sha256-ecp256__sw-sw")]
    [InlineData("mm-psk-aes256-sha1-modp1536__sw-sw")]
    [InlineData("mm-psk-3des-sha1-modp2048__sw-sw")]
    [InlineData("mm-psk-aes256-sha256-x25519__sw-sw")]
    public void OurResponder_ReproducesCharonsResponder(string id)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors", id + ".json")));
        JsonElement v = doc.RootElement;
        JsonElement qm = v.GetProperty("phase2")[0];
        JsonElement[] messages = [.. v.GetProperty("messages").EnumerateArray()];
        string description = v.GetProperty("description").GetProperty("strongswan_ike").GetString()!;
        string esp = v.GetProperty("description").GetProperty("strongswan_esp").GetString()!;

        var dh = new RecordedDhEngine().Expect(Hex(v, "g_xr"), Hex(v, "shared_secret"));
        if (qm.GetProperty("g_qm_xr").ValueKind == JsonValueKind.String)
        {
            dh.Expect(Hex(qm, "g_qm_xr"), Hex(qm, "g_qm_xy_logged"));
        }

        var random = new DeterministicEngineRandom(3).Then(Hex(v, "cky_r")).Then(Hex(v, "nr")).Then(Hex(qm, "nr"));
        var spis = new CountingSpiAllocator(1);
        spis.Scripted.Enqueue(BinaryPrimitives.ReadUInt32BigEndian(Hex(qm, "spi_r")));
        JsonElement life = v.GetProperty("negotiated_phase1").GetProperty("life");
        var config = new PeerConfig
        {
            Name = "kat",
            LocalAddress = IPAddress.Parse("192.0.2.2"),
            RemoteAddress = IPAddress.Parse("192.0.2.1"),
            IkeProposals = ProposalParser.ParseIke(description.Replace("x25519", "curve25519", StringComparison.Ordinal)),
            IkeLifetime = TimeSpan.FromSeconds(life.GetProperty("duration").GetInt32()),
            Children =
            [
                new ChildConfig
                {
                    Name = "net",
                    LocalTs = [TrafficSelector.Parse("203.0.113.0/24")],
                    RemoteTs = [TrafficSelector.Parse("198.51.100.0/24")],
                    Proposals = ProposalParser.ParseEsp(esp),
                    LifeTime = TimeSpan.FromSeconds(3960),
                },
            ],
        };
        var secrets = new InMemorySecretStore().AddPreSharedKey(v.GetProperty("psk").GetString()!);
        var endpoint = new Endpoint([config], secrets, dh, random, spis, new EndpointOptions { VendorId = null, AdvertiseDpd = false });
        var local = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 500);
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 500);
        byte[] buffer = new byte[65536];
        var events = new List<EngineEvent>();

        byte[] Feed(int index)
        {
            endpoint.Handle(0, local, remote, Convert.FromHexString(messages[index].GetProperty("hex").GetString()!));
            while (endpoint.PollEvent(out EngineEvent e))
            {
                events.Add(e);
            }

            return endpoint.PollTransmit(buffer, out Transmit t) ? buffer[..t.Length] : [];
        }

        /* MM1 HDR, SA --> */
        byte[] mm2 = Feed(0);
        Assert.Equal(Hex(v, "cky_r"), mm2[8..16]);
        /* MM3 HDR, KE, Ni --> (charon's NAT-D ignored) */
        byte[] mm4 = Feed(2);
        Assert.NotEmpty(mm4);
        /* MM5 HDR*, IDii, HASH_I, N(INITIAL-CONTACT) --> */
        byte[] mm6 = Feed(4);
        Assert.DoesNotContain(events, e => e.Kind == EngineEventKind.Diagnostic);
        Assert.Equal(messages[5].GetProperty("hex").GetString(), Convert.ToHexStringLower(mm6));
        Assert.Equal(v.GetProperty("hash_r").GetString(), DecryptHash(v, messages[4], mm6));
        Assert.Single(events, e => e.Kind == EngineEventKind.Phase1Up);

        /* QM1 HDR*, HASH(1), SA, Ni [, KE], IDci, IDcr --> */
        byte[] qm2 = Feed(6);
        Assert.DoesNotContain(events, e => e.Kind == EngineEventKind.Diagnostic);
        Assert.Equal(messages[7].GetProperty("hex").GetString(), Convert.ToHexStringLower(qm2));
        /* QM3 HDR*, HASH(3) --> */
        Assert.Empty(Feed(8));
        ChildSaInfo child = Assert.Single(events, e => e.Kind == EngineEventKind.InstallChildSa).ChildSa!;
        JsonElement inbound = qm.GetProperty("sa").GetProperty("initiator_to_responder");
        JsonElement outbound = qm.GetProperty("sa").GetProperty("responder_to_initiator");
        Assert.Equal(inbound.GetProperty("encryption_key_logged").GetString(), Convert.ToHexStringLower(child.InboundEncryptionKey));
        Assert.Equal(inbound.GetProperty("integrity_key_logged").GetString(), Convert.ToHexStringLower(child.InboundIntegrityKey));
        Assert.Equal(outbound.GetProperty("encryption_key_logged").GetString(), Convert.ToHexStringLower(child.OutboundEncryptionKey));
        Assert.Equal(outbound.GetProperty("integrity_key_logged").GetString(), Convert.ToHexStringLower(child.OutboundIntegrityKey));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(Hex(qm, "spi_i")), child.OutboundSpi);
        Assert.Equal("198.51.100.0/24", child.RemoteTs.ToString());

        /* INFO HDR*, HASH(1), D(ESP) -->   INFO HDR*, HASH(1), D(ISAKMP) --> */
        for (int i = 9; i < messages.Length; i++)
        {
            Feed(i);
        }

        Assert.DoesNotContain(events, e => e.Kind == EngineEventKind.Diagnostic);
        Assert.Equal(child.InboundSpi, Assert.Single(events, e => e.Kind == EngineEventKind.DeleteChildSa).ChildSa!.InboundSpi);
        Assert.Single(events, e => e.Kind == EngineEventKind.Phase1Down);
        Assert.Equal(0, endpoint.Phase1SaCount);
    }

    /// <summary>Decrypts our MM6 with the recorded Ka and the IV after charon's MM5 and returns HASH_R.</summary>
    private static string DecryptHash(JsonElement v, JsonElement mm5, byte[] mm6)
    {
        byte[] key = Hex(v, "enc_key");
        byte[] mm5Bytes = Convert.FromHexString(mm5.GetProperty("hex").GetString()!);
        IkeEncryptionAlgorithm algorithm = v.GetProperty("negotiated_phase1").GetProperty("encryption").GetString() == "3DES-CBC"
            ? IkeEncryptionAlgorithm.TripleDesCbc : IkeEncryptionAlgorithm.AesCbc;
        Assert.Equal(CipherSelectionError.None, IkeCbcCipher.TryCreate(algorithm, algorithm == IkeEncryptionAlgorithm.AesCbc ? key.Length * 8 : 0, out IkeCbcCipher? cipher));
        using (cipher)
        {
            cipher!.TrySetKey(key);
            byte[] iv = mm5Bytes[^cipher.BlockSize..];
            byte[] plain = new byte[mm6.Length - IsakmpHeader.Size];
            cipher.TryDecrypt(mm6.AsSpan(IsakmpHeader.Size), iv, plain);
            int idLength = BinaryPrimitives.ReadUInt16BigEndian(plain.AsSpan(2));
            int hashLength = BinaryPrimitives.ReadUInt16BigEndian(plain.AsSpan(idLength + 2));
            return Convert.ToHexStringLower(plain.AsSpan(idLength + 4, hashLength - 4));
        }
    }

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);
}
