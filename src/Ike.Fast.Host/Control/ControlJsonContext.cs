using System.Text.Json.Serialization;

namespace Ike.Fast.Host.Control;

/// <summary>
/// Source-generated JSON for the control protocol (no reflection; snake_case keys like swanctl's vici names:
/// <c>spi_in</c>, <c>ike_sas</c>). One object per line: never indented.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
