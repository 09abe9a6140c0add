namespace Ike.Fast.InteropTests;

/// <summary>
/// IkeFast (namespace a, <c>ikefast serve</c>) against strongSwan 5.9.8 charon (namespace b), every row with IkeFast
/// as initiator and as responder. Success is read from both sides: <c>swanctl --list-sas --raw</c> and
/// <c>ikefast status --json</c> must show the same ISAKMP SA (cookies, initiator, algorithms) and the same IPsec SAs
/// (SPIs crosswise, algorithms, PFS group).
/// </summary>
public sealed class CharonInteropTests(CharonTopology topology, ITestOutputHelper output) : IClassFixture<CharonTopology>
{
    /// <summary>Main Mode PSK + one Quick Mode without PFS; the Phase 1 group and the ciphers/hashes vary.</summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true, "aes128-sha256-modp2048", "aes128-sha256")]
    [InlineData(false, "aes128-sha256-modp2048", "aes128-sha256")]
    [InlineData(true, "aes128-sha256-modp1024", "aes128-sha256")]
    [InlineData(false, "aes128-sha256-modp1024", "aes128-sha256")]
    [InlineData(true, "aes128-sha256-ecp256", "aes128-sha256")]
    [InlineData(false, "aes128-sha256-ecp256", "aes128-sha256")]
    [InlineData(true, "aes128-sha256-curve25519", "aes128-sha256")]
    [InlineData(false, "aes128-sha256-curve25519", "aes128-sha256")]
    [InlineData(true, "3des-sha1-modp2048", "3des-sha1")]
    [InlineData(false, "3des-sha1-modp2048", "3des-sha1")]
    [InlineData(true, "3des-sha256-modp2048", "3des-sha256")]
    [InlineData(false, "3des-sha256-modp2048", "3des-sha256")]
    [InlineData(true, "aes256-sha256-modp2048", "aes256-sha256")]
    [InlineData(false, "aes256-sha256-modp2048", "aes256-sha256")]
    [InlineData(true, "aes256-sha1-modp2048", "aes256-sha1")]
    [InlineData(false, "aes256-sha1-modp2048", "aes256-sha1")]
    [InlineData(true, "aes128-sha1-modp2048", "aes128-sha1")]
    [InlineData(false, "aes128-sha1-modp2048", "aes128-sha1")]
    public void MainModePsk(bool ikeFastInitiates, string ike, string esp) =>
        EstablishAndVerify(new InteropCase(PeerKind.Charon, ikeFastInitiates, Ike: ike, Esp: esp));

    /// <summary>Quick Mode with PFS (RFC 2409 section 5.5: KE in QM1/QM2) for each group.</summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true, "aes128-sha256-modp2048")]
    [InlineData(false, "aes128-sha256-modp2048")]
    [InlineData(true, "aes128-sha256-modp1024")]
    [InlineData(false, "aes128-sha256-modp1024")]
    [InlineData(true, "aes128-sha256-ecp256")]
    [InlineData(false, "aes128-sha256-ecp256")]
    [InlineData(true, "aes128-sha256-curve25519")]
    [InlineData(false, "aes128-sha256-curve25519")]
    public void QuickModePfs(bool ikeFastInitiates, string esp) =>
        EstablishAndVerify(new InteropCase(PeerKind.Charon, ikeFastInitiates, Esp: esp));

    /// <summary>Aggressive Mode PSK (RFC 2409 section 5.4); IkeFast's responder side is opted in by "aggressive".</summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void AggressiveModePsk(bool ikeFastInitiates) =>
        EstablishAndVerify(new InteropCase(PeerKind.Charon, ikeFastInitiates, Mode: "aggressive"));

    /// <summary>Two Quick Modes on one Phase 1 (children ikef and ikef-2 with distinct selectors).</summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true, "aes128-sha256")]
    [InlineData(false, "aes128-sha256")]
    [InlineData(true, "aes128-sha256-modp2048")]
    [InlineData(false, "aes128-sha256-modp2048")]
    public void TwoQuickModes(bool ikeFastInitiates, string esp) =>
        EstablishAndVerify(new InteropCase(PeerKind.Charon, ikeFastInitiates, Esp: esp, Children: 2));

    /// <summary>
    /// A Delete (RFC 2408 section 3.15, sent in an Informational exchange) from one side removes the SA on the other:
    /// <paramref name="deleter"/> "ikefast" (control socket terminate) or "peer" (swanctl --terminate);
    /// <paramref name="what"/> "child" (one IPsec SA; the ISAKMP SA stays) or "ike" (the ISAKMP SA and its IPsec SAs).
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true, "ikefast", "child")]
    [InlineData(false, "ikefast", "child")]
    [InlineData(true, "ikefast", "ike")]
    [InlineData(false, "ikefast", "ike")]
    [InlineData(true, "peer", "child")]
    [InlineData(false, "peer", "child")]
    [InlineData(true, "peer", "ike")]
    [InlineData(false, "peer", "ike")]
    public void Delete(bool ikeFastInitiates, string deleter, string what)
    {
        var c = new InteropCase(PeerKind.Charon, ikeFastInitiates);
        new InteropSession(topology, output).Run(c, s => DeleteScenario.Run(s, c, deleter, what, output));
    }

    /// <summary>Main Mode with RSA signatures and the run's CA-signed certificates (RFC 2409 section 5.1).</summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void MainModeRsa(bool ikeFastInitiates) =>
        EstablishAndVerify(new InteropCase(PeerKind.Charon, ikeFastInitiates, Auth: "rsa"));

    /// <summary>Aggressive Mode with RSA signatures (RFC 2409 section 5.4 with SIG instead of HASH).</summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void AggressiveModeRsa(bool ikeFastInitiates) =>
        EstablishAndVerify(new InteropCase(PeerKind.Charon, ikeFastInitiates, Mode: "aggressive", Auth: "rsa"));

    /// <summary>
    /// Negative control (proves the checks above are not vacuous): with a PSK that differs from charon's, no ISAKMP
    /// SA may come up on either side.
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void MismatchedPskIsRefused(bool ikeFastInitiates)
    {
        var c = new InteropCase(PeerKind.Charon, ikeFastInitiates, IkeFastPsk: "not-the-interop-psk-9876543210");
        new InteropSession(topology, output).Run(c, s =>
        {
            s.StopDaemons();
            s.StartPeer(c);
            s.StartIkeFast(c);
            if (!ikeFastInitiates)
            {
                // swanctl detaches after 1 s and charon keeps trying (peer_initiate would block for IKEF_TIMEOUT).
                s.Harness("charon_swanctl", "b", "--initiate", "--ike", InteropCase.Connection, "--child", InteropCase.Connection, "--timeout", "1");
            }

            Assert.False(s.PeerReaches("ike", 1, 3), "charon established an ISAKMP SA with a mismatched PSK");
            Assert.Equal(0, s.Control.Status()?.EstablishedIkeSas);
        });
    }

    private void EstablishAndVerify(InteropCase c) =>
        new InteropSession(topology, output).Run(c, s =>
        {
            s.Establish(c);
            s.VerifyBothSides(c);
        });
}
