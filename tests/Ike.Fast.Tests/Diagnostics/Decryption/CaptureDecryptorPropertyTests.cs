using System.Text.Json;
using CsCheck;
using Ike.Fast.Diagnostics;
using Ike.Fast.Diagnostics.Decryption;

namespace Ike.Fast.Tests.Diagnostics.Decryption;

/// <summary>Whatever the capture holds, decrypting and formatting it never throws.</summary>
public class CaptureDecryptorPropertyTests
{
    private const int Iterations = 150;

    [Theory]
    [InlineData("mm-psk-pfs-aes128-sha256-modp2048__sw-sw")]
    [InlineData("am-psk-aes128-sha256-modp2048__sw-ls")]
    [InlineData("mm-psk-3des-sha1-modp1024__sw-sw")]
    public void MutatedSessionsNeverThrow(string id)
    {
        JsonElement vector = DecryptionFixture.LoadVector(id);
        byte[][] messages = vector.GetProperty("messages").EnumerateArray()
            .Select(m => Convert.FromHexString(m.GetProperty("hex").GetString()!)).ToArray();
        Assert.True(SecretsFile.TryParse(File.ReadAllText(Captures.CaptureFile.VectorPath(id)), out IReadOnlyList<Phase1Secrets> secrets, out _));

        // A mutation: which message, which byte, what XOR mask, and whether to truncate it there.
        Gen<(int Message, int Offset, byte Mask, bool Truncate)[]> mutations =
            Gen.Select(Gen.Int[0, messages.Length - 1], Gen.Int[0, 4000], Gen.Byte[1, 255], Gen.Bool).Array[1, 4];
        mutations.Sample(list =>
        {
            byte[][] session = messages.Select(m => (byte[])m.Clone()).ToArray();
            foreach ((int message, int offset, byte mask, bool truncate) in list)
            {
                byte[] target = session[message];
                if (target.Length == 0)
                {
                    continue; // an earlier mutation truncated this message to nothing
                }

                int at = offset % target.Length;
                if (truncate)
                {
                    session[message] = target[..at];
                }
                else
                {
                    target[at] ^= mask;
                }
            }

            using var decryptor = new CaptureDecryptor(secrets) { DeriveKeymat = true };
            using var output = new StringWriter();
            var inspector = new CaptureInspector(output, json: true) { Decryptor = decryptor };
            for (int i = 0; i < session.Length; i++)
            {
                inspector.InspectDatagram(session[i], i + 1);
            }
        }, iter: Iterations, threads: 1);
    }
}
