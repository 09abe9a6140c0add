using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// Builds the layered configuration and validates it: the JSON file (comments and trailing commas allowed), the
/// secrets file it names (kept apart, like swanctl's secrets may be), environment variables <c>IKEFAST__a__b</c>, and
/// command-line overrides (<c>--set a:b=value</c>, <c>--listen</c>), later layers winning.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>Environment variables with this prefix override file keys: <c>IKEFAST__connections__rw__rekey_time=1h</c>.</summary>
    public const string EnvironmentPrefix = "IKEFAST__";

    /// <summary>Loads and validates; throws <see cref="ConfigurationException"/> listing every problem.</summary>
    /// <param name="path">The main configuration file.</param>
    /// <param name="overrides">Command-line overrides as configuration keys (<c>connections:rw:rekey_time</c>).</param>
    /// <param name="secretsPath">A secrets file given on the command line; wins over the file's <c>secrets_file</c>.</param>
    public static IkeFastConfiguration Load(
        string path,
        IReadOnlyDictionary<string, string?>? overrides = null,
        string? secretsPath = null) => Load(path, overrides, secretsPath, EnvironmentPrefix);

    /// <summary>
    /// As <see cref="Load(string, IReadOnlyDictionary{string, string?}?, string?)"/> with another environment prefix:
    /// tests use their own so that a variable one test sets is never seen by another running in parallel.
    /// </summary>
    internal static IkeFastConfiguration Load(
        string path,
        IReadOnlyDictionary<string, string?>? overrides,
        string? secretsPath,
        string environmentPrefix)
    {
        var root = Build(path, overrides, secretsPath, environmentPrefix);
        var reader = new ConfigurationReader(root, Path.GetDirectoryName(Path.GetFullPath(path))!, environmentPrefix);
        return reader.Read();
    }

    /// <summary>Builds the layered <see cref="IConfigurationRoot"/> (no validation).</summary>
    public static IConfigurationRoot Build(
        string path,
        IReadOnlyDictionary<string, string?>? overrides = null,
        string? secretsPath = null,
        string environmentPrefix = EnvironmentPrefix)
    {
        var fullPath = Path.GetFullPath(path);
        var root = BuildLayers(fullPath, null, overrides, environmentPrefix);
        if (secretsPath is null)
        {
            // A secrets_file named in the configuration is relative to the configuration's folder.
            var named = root[ConfigurationKeys.SecretsFile];
            if (!string.IsNullOrWhiteSpace(named))
            {
                secretsPath = Path.Combine(Path.GetDirectoryName(fullPath)!, named);
            }
        }

        return secretsPath is null ? root : BuildLayers(fullPath, Path.GetFullPath(secretsPath), overrides, environmentPrefix);
    }

    private static IConfigurationRoot BuildLayers(
        string fullPath, string? secretsFullPath, IReadOnlyDictionary<string, string?>? overrides, string environmentPrefix)
    {
        var builder = new ConfigurationBuilder();
        AddJson(builder, fullPath);
        if (secretsFullPath is not null)
        {
            AddJson(builder, secretsFullPath);
        }

        builder.AddEnvironmentVariables(environmentPrefix);
        if (overrides is not null)
        {
            builder.Add(new OverrideConfigurationSource(overrides));
        }

        try
        {
            return builder.Build();
        }
        catch (FileNotFoundException e)
        {
            var missing = secretsFullPath is not null && !File.Exists(secretsFullPath) ? secretsFullPath : fullPath;
            throw new ConfigurationException(new ConfigurationError(Path.GetFileName(missing), "", $"file not found ({missing})"), e);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            // The JSON provider wraps the JsonException (whose message has the line and byte position) in a
            // FormatException, and the file provider may wrap that in an InvalidDataException naming the file.
            var file = secretsFullPath is not null && !Parses(secretsFullPath) ? secretsFullPath : fullPath;
            var json = FindJsonException(e);
            var detail = json is not null
                ? $"invalid JSON at line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}: {FirstSentence(json.Message)}"
                : e.InnerException?.Message ?? e.Message;
            throw new ConfigurationException(new ConfigurationError(Path.GetFileName(file), "", detail), e);
        }
    }

    /// <summary>Whether one file loads on its own (to tell which of two layers is the broken one).</summary>
    private static bool Parses(string fullPath)
    {
        try
        {
            var builder = new ConfigurationBuilder();
            AddJson(builder, fullPath);
            builder.Build();
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            return false;
        }
    }

    private static JsonException? FindJsonException(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    private static void AddJson(ConfigurationBuilder builder, string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        builder.AddJsonFile(source =>
        {
            // A provider rooted at the file's own folder: its Source.Path is then the bare file name, which is what
            // errors print.
            source.FileProvider = Directory.Exists(directory) ? new PhysicalFileProvider(directory) : null;
            source.Path = Path.GetFileName(fullPath);
            source.Optional = false;
            source.ReloadOnChange = false;
        });
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
