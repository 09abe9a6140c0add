namespace Ike.Fast.InteropTests;

/// <summary>
/// IkeFast against Libreswan 4.10 pluto: Main Mode PSK both ways (pluto: no MODP-1024, ECP/Curve25519 in Phase 1
/// only, so PFS uses MODP-2048). Success from both sides: <c>whack --status</c> and <c>ikefast status --json</c>.
/// </summary>
public sealed class PlutoInteropTests(PlutoTopology topology, ITestOutputHelper output) : IClassFixture<PlutoTopology>
{
    [InteropTheory(PeerKind.Pluto)]
    [InlineData(true, "aes128-sha256-modp2048", "aes128-sha256")]
    [InlineData(false, "aes128-sha256-modp2048", "aes128-sha256")]
    [InlineData(true, "aes128-sha256-modp2048", "aes128-sha256-modp2048")]
    [InlineData(false, "aes128-sha256-modp2048", "aes128-sha256-modp2048")]
    [InlineData(true, "aes256-sha1-ecp256", "aes256-sha1")]
    [InlineData(false, "aes256-sha1-ecp256", "aes256-sha1")]
    [InlineData(true, "aes128-sha256-curve25519", "aes128-sha256")]
    [InlineData(false, "aes128-sha256-curve25519", "aes128-sha256")]
    public void MainModePsk(bool ikeFastInitiates, string ike, string esp)
    {
        var c = new InteropCase(PeerKind.Pluto, ikeFastInitiates, Ike: ike, Esp: esp);
        new InteropSession(topology, output).Run(c, s =>
        {
            s.Establish(c);
            s.VerifyBothSides(c);
        });
    }

    /// <summary>
    /// Deletes both ways. When IkeFast deletes SAs that pluto initiated, pluto at once starts a new exchange to replace
    /// them ("to replace #2", tests/interop/README.md quirks), so those rows check that the deleted SAs themselves
    /// (SPI pair, pluto state number, cookies) are gone rather than counting SAs (see DeleteScenario).
    /// </summary>
    [InteropTheory(PeerKind.Pluto)]
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
        var c = new InteropCase(PeerKind.Pluto, ikeFastInitiates);
        new InteropSession(topology, output).Run(c, s => DeleteScenario.Run(s, c, deleter, what, output));
    }

    /// <summary>Main Mode with RSA signatures: pluto's NSS database holds the run's CA and its own PKCS#12.</summary>
    [InteropTheory(PeerKind.Pluto)]
    [InlineData(true)]
    [InlineData(false)]
    public void MainModeRsa(bool ikeFastInitiates)
    {
        var c = new InteropCase(PeerKind.Pluto, ikeFastInitiates, Auth: "rsa");
        new InteropSession(topology, output).Run(c, s =>
        {
            s.Establish(c);
            s.VerifyBothSides(c);
        });
    }
}
