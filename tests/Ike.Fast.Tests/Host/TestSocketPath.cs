namespace Ike.Fast.Tests.Host;

/// <summary>
/// A fresh control-socket path in the temp folder. Unix socket paths are limited to 108 bytes, so the name is short.
/// </summary>
internal static class TestSocketPath
{
    public static string Create() => Path.Combine(Path.GetTempPath(), $"ikef-{Guid.NewGuid():N}"[..17] + ".sock");
}
