using System.Text;

namespace Symbolon.Bench.Reporting;

/// <summary>One line of the summary table: a figure, its same-run baseline and how the two compare.</summary>
internal sealed record SummaryRow(string Measurement, string Symbolon, string Baseline, string Ratio, string Goal = "");

/// <summary>What a run found: the summary table, then each scenario's details (samples, per-record costs, notes).</summary>
internal sealed class BenchReport
{
    private readonly List<SummaryRow> _rows = [];
    private readonly List<(string Title, List<string> Lines)> _sections = [];

    public List<string> Header { get; } = [];

    public void AddRow(SummaryRow row) => _rows.Add(row);

    public List<string> Section(string title)
    {
        var lines = new List<string>();
        _sections.Add((title, lines));
        return lines;
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("# Symbolon bench results\n\n");
        foreach (var line in Header)
        {
            text.Append(line).Append('\n');
        }

        text.Append('\n');
        text.Append("| Measurement | Symbolon | Baseline (same run) | Ratio | Goal |\n");
        text.Append("|---|---|---|---|---|\n");
        foreach (var row in _rows)
        {
            text.Append("| ").Append(row.Measurement)
                .Append(" | ").Append(row.Symbolon)
                .Append(" | ").Append(row.Baseline)
                .Append(" | ").Append(row.Ratio)
                .Append(" | ").Append(row.Goal)
                .Append(" |\n");
        }

        foreach (var (title, lines) in _sections)
        {
            text.Append("\n## ").Append(title).Append("\n\n");
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }
}
