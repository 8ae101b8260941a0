using System.Globalization;

namespace Symbolon.Bench.Reporting;

/// <summary>Repeated measurements of one quantity; the bench reports their median, which one slow pass cannot move.</summary>
internal sealed class Samples(string unit)
{
    private readonly List<double> _values = [];

    public string Unit { get; } = unit;

    public IReadOnlyList<double> Values => _values;

    public int Count => _values.Count;

    public void Add(double value) => _values.Add(value);

    public double Median
    {
        get
        {
            if (_values.Count == 0)
            {
                throw new InvalidOperationException("No samples were taken.");
            }

            var sorted = _values.Order().ToArray();
            var middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    public override string ToString() =>
        string.Join(", ", _values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture))) + " " + Unit;
}
