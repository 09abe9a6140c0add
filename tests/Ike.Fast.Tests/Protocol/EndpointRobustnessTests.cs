using System.Net;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

public class EndpointRobustnessTests
{
    /// <summary>
    /// Every message of a real conversation, mutated (bit flips, truncations, extensions) and fed to both an
    /// established endpoint and a fresh one mid-handshake: nothing throws, established SAs stay as they were.
    /// </summary>
    [Fact]
    public void MutatedMessages_NeverThrow_AndNeverDisturbEstablishedSas()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", esp: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        var random = new Random(1234);
        byte[] buffer = new byte[65536];
        var a = new IPEndPoint(Conversation.AddressA, 500);
        var b = new IPEndPoint(Conversation.AddressB, 500);
        for (int round = 0; round < 60; round++)
        {
            foreach ((bool fromA, byte[] original) in c.Wire.Take(9))
            {
                byte[] m = Mutate(original, random);
                Endpoint target = fromA ? c.B : c.A;
                target.Handle(round, fromA ? b : a, fromA ? a : b, m);
                while (target.PollTransmit(buffer, out _))
                {
                }
            }
        }

        c.Drain();
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        Assert.Empty(c.Of(true, EngineEventKind.Phase1Down));
        Assert.Empty(c.Of(false, EngineEventKind.DeleteChildSa));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] m = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                m[random.Next(m.Length)] ^= (byte)(1 << random.Next(8));
                return m;
            case 1:
                return m[..random.Next(m.Length)];
            case 2:
                return [.. m, .. new byte[random.Next(1, 40)]];
            default:
                int at = random.Next(28, Math.Max(29, m.Length));
                if (at < m.Length)
                {
                    m[at] = (byte)random.Next(256);
                }

                return m;
        }
    }
}
