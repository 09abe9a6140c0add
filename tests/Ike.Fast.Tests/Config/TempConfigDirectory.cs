using Ike.Fast.Host.Configuration;

namespace Ike.Fast.Tests.Config;

/// <summary>A temporary folder holding configuration files for one test; deleted on dispose.</summary>
internal sealed class TempConfigDirectory : IDisposable
{
    public TempConfigDirectory()
    {
        Path = Directory.CreateTempSubdirectory("ikefast-config-").FullName;
    }

    public string Path { get; }

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    /// <param name="environmentPrefix">A prefix of the test's own when it sets environment variables, so that tests
    /// running in parallel never see them.</param>
    public IkeFastConfiguration Load(string json, IReadOnlyDictionary<string, string?>? overrides = null,
        string environmentPrefix = ConfigurationLoader.EnvironmentPrefix)
        => ConfigurationLoader.Load(Write("ikefast.json", json), overrides, null, environmentPrefix);

    /// <summary>Loads and expects failure; returns the error lines.</summary>
    public IReadOnlyList<string> Errors(string json, IReadOnlyDictionary<string, string?>? overrides = null,
        string environmentPrefix = ConfigurationLoader.EnvironmentPrefix)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(json, overrides, environmentPrefix).Dispose());
        Assert.NotEmpty(e.Errors);
        return e.Errors.Select(error => error.ToString()).ToList();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
