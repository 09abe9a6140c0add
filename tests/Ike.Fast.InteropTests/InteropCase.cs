namespace Ike.Fast.InteropTests;

/// <summary>
/// One matrix row: who initiates, the Phase 1 exchange and authentication, the proposals (strongSwan keyword syntax,
/// the same string for the peer's <c>peer_start ike=/esp=</c> and IkeFast's <c>proposals</c>/<c>esp_proposals</c>;
/// a trailing DH group in <see cref="Esp"/> turns PFS on), the number of Quick Modes on the one Phase 1, and for
/// negative controls a PSK for IkeFast that differs from the peer's.
/// </summary>
public sealed record InteropCase(
    PeerKind Peer,
    bool IkeFastInitiates,
    string Mode = "main",
    string Auth = "psk",
    string Ike = "aes128-sha256-modp2048",
    string Esp = "aes128-sha256",
    int Children = 1,
    string? IkeFastPsk = null)
{
    /// <summary>The connection name on both sides (the harness default).</summary>
    public const string Connection = "ikef";

    /// <summary>Child k's name: ikef, ikef-2, ... (the harness's naming).</summary>
    public static string ChildName(int k) => k == 1 ? Connection : $"{Connection}-{k}";

    public override string ToString() =>
        $"{Peer} {(IkeFastInitiates ? "IkeFast->peer" : "peer->IkeFast")} {Mode}/{Auth} ike={Ike} esp={Esp} children={Children}";
}
