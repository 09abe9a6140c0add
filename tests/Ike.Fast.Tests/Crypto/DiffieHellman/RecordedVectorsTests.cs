using System.Text.Json;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

/// <summary>
/// The KE values recorded from strongSwan/Libreswan sessions (tests/data/vectors). The private values were
/// not logged, so g^xy cannot be recomputed; the public values must pass our validation with the right
/// length, and the logged g^xy must have the group's shared-secret length.
/// </summary>
public class RecordedVectorsTests
{
    public static TheoryData<string> VectorFiles()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "data", "vectors"), "*.json").Order())
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorFiles))]
    public void Recorded_public_values_are_valid_for_their_group(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors", file)));
        JsonElement root = doc.RootElement;
        var id = (DhGroupId)root.GetProperty("dh_group").GetInt32();
        Assert.True(DhGroupRegistry.TryGet(id, out DhGroup? group), $"{file}: group {(int)id}");
        var engine = new ScalarDhEngine(
            new DeterministicDhRandomSource(10),
            new DhEngineOptions { ExplicitlyEnabledLegacyGroups = new HashSet<DhGroupId> { DhGroupId.Modp1024 } });

        foreach (string name in new[] { "g_xi", "g_xr" })
        {
            byte[] value = Convert.FromHexString(root.GetProperty(name).GetString()!);
            Assert.Equal(group.PublicValueLength, value.Length);

            // Validation is part of the shared-secret computation: run it with a throw-away key of ours.
            DhPrivateKey key = engine.GenerateKeyPair(id, new byte[group.PublicValueLength]).PrivateKey!;
            DhResult result = engine.ComputeSharedSecret(key, value, new byte[group.SharedSecretLength]);
            Assert.True(result.IsSuccess, $"{file}: {name} rejected ({result.Status})");
        }

        if (root.TryGetProperty("shared_secret", out JsonElement secret) && secret.ValueKind == JsonValueKind.String)
        {
            Assert.Equal(group.SharedSecretLength, Convert.FromHexString(secret.GetString()!).Length);
        }
    }
}
