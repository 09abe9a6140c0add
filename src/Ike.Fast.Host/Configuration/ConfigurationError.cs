namespace Ike.Fast.Host.Configuration;

/// <summary>
/// One problem found while loading: the source (file name, environment variable or command line), the key path in
/// Microsoft.Extensions.Configuration notation (<c>connections:rw:proposals:0</c>) and what is wrong.
/// </summary>
public sealed record ConfigurationError(string Source, string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? $"{Source}: {Message}" : $"{Source}: {Path}: {Message}";
}
