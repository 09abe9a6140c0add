using Ike.Fast.Fuzz;

namespace Ike.Fast.Tests.Diagnostics;

/// <summary>
/// Runs the SharpFuzz target's entry method in-process over the seed corpus (tests/Ike.Fast.Fuzz/corpus) and
/// 10,000 seeded random mutations of it, and the capture-file target over corpus-capture plus 2,000 mutations:
/// no input may throw. A cheap stand-in for a fuzzing campaign in CI.
/// </summary>
public class FuzzTargetTests
{
    private const int Mutations = 10_000;

    private static List<byte[]> Seeds(string directory = "corpus")
    {
        string corpus = Path.Combine(AppContext.BaseDirectory, directory);
        List<byte[]> seeds = Directory.EnumerateFiles(corpus).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Assert.NotEmpty(seeds);
        return seeds;
    }

    [Fact]
    public void SeedCorpusRunsCleanly()
    {
        foreach (byte[] seed in Seeds())
        {
            IsakmpMessageTarget.Run(seed);
        }
    }

    [Fact]
    public void RandomMutationsOfTheCorpusNeverThrow()
    {
        List<byte[]> seeds = Seeds();
        var random = new Random(20261126);
        for (int i = 0; i < Mutations; i++)
        {
            byte[] input = Mutate(seeds[random.Next(seeds.Count)], random);
            try
            {
                IsakmpMessageTarget.Run(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} ({Convert.ToHexStringLower(input)}) threw {e}");
            }
        }
    }

    [Fact]
    public void CaptureTargetOverItsCorpusAndMutationsNeverThrows()
    {
        List<byte[]> seeds = Seeds("corpus-capture");
        var random = new Random(4500);
        foreach (byte[] seed in seeds)
        {
            CaptureFileTarget.Run(seed);
        }

        for (int i = 0; i < 2000; i++)
        {
            byte[] input = Mutate(seeds[random.Next(seeds.Count)], random);
            try
            {
                CaptureFileTarget.Run(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"capture mutation {i} ({Convert.ToHexStringLower(input)}) threw {e}");
            }
        }
    }

    /// <summary>AFL-style havoc: byte flips, random bytes, interesting values at length fields, truncation, splicing.</summary>
    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        int steps = random.Next(1, 6);
        for (int s = 0; s < steps && data.Count > 0; s++)
        {
            int at = random.Next(data.Count);
            switch (random.Next(6))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    // Interesting values (0, 1, 0x7f, 0x80, 0xff) are what break length and count fields.
                    byte[] interesting = [0x00, 0x01, 0x04, 0x08, 0x7F, 0x80, 0xFF];
                    data[at] = interesting[random.Next(interesting.Length)];
                    break;
                case 3:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 4:
                    data.InsertRange(at, Enumerable.Repeat((byte)random.Next(256), random.Next(1, 16)));
                    break;
                default:
                    int length = Math.Min(random.Next(1, 32), data.Count - at);
                    data.RemoveRange(at, length);
                    break;
            }
        }

        return [.. data];
    }
}
