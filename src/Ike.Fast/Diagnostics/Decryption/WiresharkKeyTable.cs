using System.Globalization;

namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// Writes Wireshark's IKEv1 decryption table (the "ikev1_decryption_table" UAT file in the Wireshark profile,
/// Preferences → Protocols → ISAKMP → IKEv1 Decryption Table): one line per Phase 1,
/// <c>"initiator cookie hex","encryption key hex"</c>, where the key is Ka (RFC 2409 Appendix B). Wireshark derives
/// the IVs itself from the captured KE payloads and message IDs.
/// </summary>
public static class WiresharkKeyTable
{
    /// <summary>Writes one line per derived Phase 1 of <paramref name="phase1s"/>.</summary>
    public static void Write(TextWriter output, IEnumerable<DerivedPhase1> phase1s)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(phase1s);
        output.WriteLine("# IKEv1 decryption table (Wireshark UAT ikev1_decryption_table) written by ikefast inspect --wireshark-keys");
        foreach (DerivedPhase1 phase1 in phase1s)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"\"{phase1.InitiatorCookie:x16}\",\"{Convert.ToHexStringLower(phase1.EncryptionKey)}\""));
        }
    }
}
