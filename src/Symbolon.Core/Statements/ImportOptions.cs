using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Core.Statements;

/// <summary>Limits of one statement import (configuration section <c>Imports</c>).</summary>
internal sealed class ImportOptions
{
    /// <summary>The longest one import may read and store, in seconds (<c>Imports:MaxSeconds</c>).</summary>
    public int MaxSeconds { get; set; } = 900;

    /// <summary><see cref="MaxSeconds"/> as a time span.</summary>
    public TimeSpan MaxTime => TimeSpan.FromSeconds(MaxSeconds);
}

/// <summary>An import ran past <see cref="ImportOptions.MaxSeconds"/> and was stopped; nothing was imported.</summary>
internal sealed class ImportTookTooLongException(TimeSpan limit) : SymbolonProblemException(
    ProblemCodes.ImportTookTooLong, 422, "The statement took too long to import; nothing was imported.", Describe(limit), message: Describe(limit))
{
    private static string Describe(TimeSpan limit) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"Reading the statement took longer than the {limit.TotalSeconds:0} seconds one import may take. Import a shorter period, or check that the file is a bank statement.");
}
