using Microsoft.Extensions.Logging;

namespace Ike.Fast.Tests.Cli;

/// <summary>
/// A logger provider that keeps every line it is given with its level and category. Unlike
/// <see cref="Host.CapturingLogger{T}"/> it sits behind the logging filters, so a test sees what the host's minimum
/// level lets through.
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<(LogLevel Level, string Category, string Text)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Category, string Text)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, string text)
    {
        lock (_lines)
        {
            _lines.Add((level, category, text));
        }
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => owner.Add(logLevel, category, formatter(state, exception));
    }
}
