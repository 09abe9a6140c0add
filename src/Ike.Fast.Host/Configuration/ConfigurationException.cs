namespace Ike.Fast.Host.Configuration;

/// <summary>
/// The configuration is invalid. Carries every error found (not just the first), one per line in
/// <see cref="Exception.Message"/>, so a user fixes them in one pass.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(IReadOnlyList<ConfigurationError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public ConfigurationException(ConfigurationError error, Exception inner)
        : base(error.ToString(), inner)
    {
        Errors = [error];
    }

    public IReadOnlyList<ConfigurationError> Errors { get; }
}
