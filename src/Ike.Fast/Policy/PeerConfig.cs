using System.Net;

namespace Ike.Fast.Policy;

/// <summary>
/// One connection (swanctl.conf <c>connections.&lt;name&gt;</c>) for IKEv1: addresses, Phase 1 mode, both sides'
/// authentication, IKE proposals in preference order, lifetimes and its children. Immutable after construction;
/// the engine only reads it.
/// </summary>
public sealed class PeerConfig
{
    /// <summary>The connection name.</summary>
    public required string Name { get; init; }

    /// <summary>IKE version; only 1 is implemented.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Our address (swanctl.conf <c>local_addrs</c>); null = any local address.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The peer's address (swanctl.conf <c>remote_addrs</c>); null = any (responder only).</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>UDP port of the peer (500).</summary>
    public int RemotePort { get; init; } = 500;

    /// <summary>
    /// Our UDP port as initiator (500). An initiator that sends from another port (the load generator's shared
    /// socket) says so here; otherwise its SA would take the first authenticated reply as a move of the peer
    /// (RFC 3947 §4) and report one per SA.
    /// </summary>
    public int LocalPort { get; init; } = 500;

    /// <summary>
    /// Force UDP encapsulation (swanctl.conf <c>encap = yes</c>): like charon we send a fake NAT-D hash for our own
    /// address, so both sides see a NAT and float to port 4500 (RFC 3947 §3.2 leaves the choice to the sender).
    /// </summary>
    public bool ForceEncapsulation { get; init; }

    /// <summary>
    /// Dead Peer Detection (RFC 3706; swanctl.conf <c>dpd_delay</c>): send R-U-THERE after this long without any
    /// authenticated message from the peer. Zero (default) = no probes (we always answer the peer's).
    /// </summary>
    public TimeSpan DpdDelay { get; init; }

    /// <summary>The peer is dead when probes stay unanswered this long (swanctl.conf <c>dpd_timeout</c>, 150 s).</summary>
    public TimeSpan DpdTimeout { get; init; } = TimeSpan.FromSeconds(150);

    /// <summary>Action on a dead peer (swanctl.conf <c>dpd_action</c>).</summary>
    public DpdAction DpdAction { get; init; } = DpdAction.Clear;

    /// <summary>XAUTH role (none, client or server); with a PSK the Phase 1 proposal carries XAUTHInitPreShared (65001).</summary>
    public XauthRole Xauth { get; init; }

    /// <summary>XAUTH client: the user name sent in REPLY.</summary>
    public string? XauthUserName { get; init; }

    /// <summary>XAUTH client: the password sent in REPLY (UTF-8).</summary>
    public string? XauthPassword { get; init; }

    /// <summary>Mode-Config (virtual address, DNS, split-include, banner); null = none.</summary>
    public ModeConfigSettings? ModeConfig { get; init; }

    /// <summary>Main or Aggressive Mode for initiation (swanctl.conf <c>aggressive</c>).</summary>
    public ExchangeMode Mode { get; init; } = ExchangeMode.Main;

    /// <summary>Our authentication.</summary>
    public AuthConfig LocalAuth { get; init; } = new();

    /// <summary>The peer's authentication.</summary>
    public AuthConfig RemoteAuth { get; init; } = new();

    /// <summary>IKE transforms in local preference order (swanctl.conf <c>proposals</c>).</summary>
    public IReadOnlyList<IkeProposal> IkeProposals { get; init; } = DefaultIkeProposals;

    /// <summary>
    /// Whether we answer Aggressive Mode with a pre-shared key as responder. Off by default: the responder's
    /// HASH_R lets an eavesdropper run an offline dictionary attack on the PSK.
    /// </summary>
    public bool AggressiveModePskResponder { get; init; }

    /// <summary>What to do on load (swanctl.conf <c>start_action</c>).</summary>
    public StartAction StartAction { get; init; } = StartAction.None;

    /// <summary>The ISAKMP SA lifetime offered/accepted (IKEv1 has no rekey negotiation: the Life Duration attribute).</summary>
    public TimeSpan IkeLifetime { get; init; } = TimeSpan.FromSeconds(15840);

    /// <summary>Send INITIAL-CONTACT on the first Phase 1 to this peer (RFC 2407 §4.6.3.3).</summary>
    public bool SendInitialContact { get; init; } = true;

    /// <summary>Child SAs (swanctl.conf <c>children</c>).</summary>
    public IReadOnlyList<ChildConfig> Children { get; init; } = [];

    /// <summary>strongSwan's IKEv1 default set when none is configured.</summary>
    public static IReadOnlyList<IkeProposal> DefaultIkeProposals { get; } =
    [
        .. ProposalParser.ParseIke("aes128-sha256-modp2048"),
        .. ProposalParser.ParseIke("aes256-sha256-modp2048"),
        .. ProposalParser.ParseIke("aes128-sha256-ecp256"),
        .. ProposalParser.ParseIke("aes256-sha256-x25519"),
        .. ProposalParser.ParseIke("aes128-sha1-modp2048"),
    ];

    /// <summary>A child by name, or null.</summary>
    public ChildConfig? FindChild(string name)
    {
        for (int i = 0; i < Children.Count; i++) // indexer: a foreach over the interface would box its enumerator
        {
            ChildConfig c = Children[i];
            if (c.Name == name)
            {
                return c;
            }
        }

        return null;
    }
}
