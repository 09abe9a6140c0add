using System.Diagnostics.Metrics;
using Ike.Fast.Host.Metrics;

namespace Ike.Fast.Tests.Host.Metrics;

/// <summary>Collects the measurements of one <see cref="IkeFastMetrics"/> instance (other daemons in parallel tests
/// publish meters of the same name).</summary>
internal sealed class MeasurementLog : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, long Value, Dictionary<string, object?> Tags)> _values = [];

    public MeasurementLog(IkeFastMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (_values)
            {
                _values.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        _listener.Start();
    }

    /// <summary>Runs the observable callbacks and returns everything seen so far.</summary>
    public List<(string Name, long Value, Dictionary<string, object?> Tags)> Collect()
    {
        lock (_values)
        {
            _values.Clear();
        }

        _listener.RecordObservableInstruments();
        lock (_values)
        {
            return [.. _values];
        }
    }

    public void Dispose() => _listener.Dispose();
}
