using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Aggressive Mode known-answer test: our responder (Aggressive Mode PSK enabled) fed charon's recorded AM1/AM3
/// (FQDN identities): charon's HASH_I in the encrypted AM3 must verify against our keys, then our QM2 must be
/// byte-identical to charon's and the KEYMAT equal the logged keys.
/// </summary>
public class AggressiveKnownAnswerTests
{
    [Fact]
    public void OurAggressiveResponder_VerifiesCharonsHashI_AndReproducesQuickMode()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors", "am-psk-aes128-sha256-modp2048__sw-sw.json")));
        JsonElement v = doc.RootElement;
        JsonElement qm = v.GetProperty("phase2")[0];
        JsonElement[] messages = [.. v.GetProperty("messages").EnumerateArray()];
        var dh = new RecordedDhEngine().Expect(Hex(v, "g_xr"), Hex(v, "shared_secret"));
        var random = new DeterministicEngineRandom(3).Then(Hex(v, "cky_r")).Then(Hex(v, "nr")).Then(Hex(qm, "nr"));
        var spis = new CountingSpiAllocator(1);
        spis.Scripted.Enqueue(BinaryPrimitives.ReadUInt32BigEndian(Hex(qm, "spi_r")));
        var config = new PeerConfig
        {
            Name = "am",
            LocalAddress = IPAddress.Parse("192.0.2.2"),
            RemoteAddress = IPAddress.Parse("192.0.2.1"),
            Mode = ExchangeMode.Aggressive,
            AggressiveModePskResponder = true,
            LocalAuth = new AuthConfig { Identity = IkeIdentity.Parse("@b.ikev1.test") },
            RemoteAuth = new AuthConfig { Identity = IkeIdentity.Parse("@a.ikev1.test") },
            IkeProposals = ProposalParser.ParseIke("aes128-sha256-modp2048"),
            IkeLifetime = TimeSpan.FromSeconds(15840),
            Children =
            [
                new ChildConfig
                {
                    Name = "net",
                    LocalTs = [TrafficSelector.Parse("203.0.113.0/24")],
                    RemoteTs = [TrafficSelector.Parse("198.51.100.0/24")],
                    Proposals = ProposalParser.ParseEsp("aes128-sha256"),
                    LifeTime = TimeSpan.FromSeconds(3960),
                },
            ],
        };
        var endpoint = new Endpoint([config], new InMemorySecretStore().AddPreSharedKey(v.GetProperty("psk").GetString()!), dh, random, spis);
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

        /* AM1 HDR, SA, KE, Ni, IDii --> */
        Assert.NotEmpty(Feed(0));
        /* AM3 HDR*, HASH_I, NAT-D, NAT-D --> */
        Assert.Empty(Feed(2));
        Assert.DoesNotContain(events, e => e.Kind == EngineEventKind.Diagnostic);
        Assert.Equal("a.ikev1.test", Assert.Single(events, e => e.Kind == EngineEventKind.Phase1Up).RemoteIdentity!.ToString());
        /* QM1 --> , <-- QM2 (byte-identical), QM3 --> */
        Assert.Equal(messages[4].GetProperty("hex").GetString(), Convert.ToHexStringLower(Feed(3)));
        Feed(5);
        ChildSaInfo child = Assert.Single(events, e => e.Kind == EngineEventKind.InstallChildSa).ChildSa!;
        Assert.Equal(qm.GetProperty("sa").GetProperty("initiator_to_responder").GetProperty("keymat_recomputed").GetString(),
            Convert.ToHexStringLower([.. child.InboundEncryptionKey, .. child.InboundIntegrityKey]));
        Feed(6);
        Feed(7);
        Assert.DoesNotContain(events, e => e.Kind == EngineEventKind.Diagnostic);
        Assert.Single(events, e => e.Kind == EngineEventKind.Phase1Down);
    }

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);
}
