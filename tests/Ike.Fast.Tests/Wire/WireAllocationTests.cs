using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

/// <summary>Steady-state parse and write allocate nothing (GC.GetAllocatedBytesForCurrentThread over a loop).</summary>
public class WireAllocationTests
{
    [Fact]
    public void ParsingAndWritingMm1Mm3Qm1AllocatesNothing()
    {
        VectorFile file = VectorFile.Load("mm-psk-aes128-sha256-modp2048__sw-sw");
        byte[] mm1 = file.Messages[0].Bytes;
        byte[] mm3 = file.Messages[2].Bytes;
        VectorMessage qm1Message = file.Messages.First(m => m.Exchange == "QUICK_MODE");
        byte[] qm1Plain = qm1Message.Plaintext!;
        var qm1First = (PayloadType)qm1Message.Bytes[IsakmpHeader.NextPayloadOffset];
        byte[] builtMm1 = WireTestMessages.MainMode1();
        byte[] builtQm1 = WireTestMessages.QuickMode1();
        var output = new byte[4096];
        byte[][] messages = [mm1, mm3, builtMm1, builtQm1];

        int RunOnce()
        {
            int total = 0;
            foreach (byte[] message in messages)
            {
                if (!IsakmpMessageValidator.TryValidate(message, out _) ||
                    !WireReencoder.TryReencodeMessage(message, output, out int written, out _))
                {
                    return -1;
                }

                total += written;
            }

            if (!IsakmpMessageValidator.TryValidateDecryptedBody(qm1Plain, qm1First, out _, out _) ||
                !WireReencoder.TryReencodeDecryptedBody(qm1Plain, qm1First, output, out int w, out _, out _, out _))
            {
                return -1;
            }

            // Writing from scratch, as the engine does.
            var writer = new IsakmpWriter(output);
            writer.WriteHeader(new IsakmpHeader(1, 2, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.Encryption, 3));
            WireTestMessages.WriteQuickModeChainNoAlloc(ref writer);
            writer.WritePadding(16);
            return writer.TryFinish(out int length) ? total + w + length : -1;
        }

        Assert.True(RunOnce() > 0);
        for (int i = 0; i < 100; i++)
        {
            RunOnce();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 2_000; i++)
        {
            sum += RunOnce();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sum > 0);
        Assert.Equal(0, allocated);
    }
}
