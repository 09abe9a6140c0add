using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// Reads a secrets file (tests/data/vectors/README.md, "Secrets files"): JSON, one object or an array of objects,
/// one per Phase 1, with cky_i, cky_r, psk or psk_hex or skeyid, shared_secret, dh_group and optionally
/// phase2: [{"message_id", "g_qm_xy_logged"}]. Unknown members are ignored, so a key-vector file is itself a
/// secrets file. A bad file is a user error reported as text, never an exception.
/// </summary>
public static class SecretsFile
{
    /// <summary>Parses <paramref name="json"/>; false with a one-line <paramref name="error"/> when unusable.</summary>
    public static bool TryParse(string json, out IReadOnlyList<Phase1Secrets> secrets, out string? error)
    {
        secrets = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return false;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            var list = new List<Phase1Secrets>();
            if (root.ValueKind == JsonValueKind.Array)
            {
                int index = 0;
                foreach (JsonElement item in root.EnumerateArray())
                {
                    if (!TryReadOne(item, out Phase1Secrets? one, out error))
                    {
                        error = $"entry {index}: {error}";
                        return false;
                    }

                    list.Add(one!);
                    index++;
                }
            }
            else if (!TryReadOne(root, out Phase1Secrets? one, out error))
            {
                return false;
            }
            else
            {
                list.Add(one!);
            }

            secrets = list;
            error = null;
            return true;
        }
    }

    private static bool TryReadOne(JsonElement item, out Phase1Secrets? secrets, out string? error)
    {
        secrets = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = "expected an object";
            return false;
        }

        if (!TryHex(item, "cky_i", required: true, out byte[]? ckyI, out error)
            || !TryHex(item, "cky_r", required: false, out byte[]? ckyR, out error)
            || !TryHex(item, "psk_hex", required: false, out byte[]? pskHex, out error)
            || !TryHex(item, "skeyid", required: false, out byte[]? skeyid, out error)
            || !TryHex(item, "shared_secret", required: true, out byte[]? sharedSecret, out error))
        {
            return false;
        }

        if (ckyI!.Length != 8 || ckyR is { Length: not 8 })
        {
            error = "cky_i and cky_r are 8 bytes (16 hex digits)";
            return false;
        }

        byte[]? psk = item.TryGetProperty("psk", out JsonElement text) && text.ValueKind == JsonValueKind.String
            ? Encoding.UTF8.GetBytes(text.GetString()!)
            : pskHex;
        if (psk is null && skeyid is null)
        {
            error = "needs psk, psk_hex or skeyid";
            return false;
        }

        int? group = item.TryGetProperty("dh_group", out JsonElement g) && g.ValueKind == JsonValueKind.Number && g.TryGetInt32(out int gv) ? gv : null;
        var quickModes = new Dictionary<uint, byte[]>();
        if (item.TryGetProperty("phase2", out JsonElement phase2) && phase2.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement qm in phase2.EnumerateArray())
            {
                if (qm.ValueKind != JsonValueKind.Object
                    || !qm.TryGetProperty("message_id", out JsonElement mid) || mid.ValueKind != JsonValueKind.String
                    || !uint.TryParse(mid.GetString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint messageId))
                {
                    error = "phase2 entries need message_id (8 hex digits)";
                    return false;
                }

                if (!TryHex(qm, "g_qm_xy_logged", required: false, out byte[]? gqmxy, out error))
                {
                    return false;
                }

                if (gqmxy is not null)
                {
                    quickModes[messageId] = gqmxy;
                }
            }
        }

        secrets = new Phase1Secrets
        {
            InitiatorCookie = ckyI,
            ResponderCookie = ckyR,
            PreSharedKey = psk,
            Skeyid = skeyid,
            SharedSecret = sharedSecret!,
            DhGroup = group,
            QuickModeSharedSecrets = quickModes,
        };
        error = null;
        return true;
    }

    private static bool TryHex(JsonElement item, string name, bool required, out byte[]? value, out string? error)
    {
        value = null;
        error = null;
        if (!item.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = $"missing {name}";
                return false;
            }

            return true;
        }

        string? hex = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (hex is null || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            error = $"{name} is not a hex string";
            return false;
        }

        value = Convert.FromHexString(hex);
        return true;
    }
}
