namespace Symbolon.Core.Statements;

/// <summary>The projection's side for the analytics database: its rows as columns, and what changed since a copy.</summary>
internal sealed partial class TransactionProjection
{
    private long _categoryVersion;

    /// <summary>Advanced whenever a transaction's category changes, so a copy knows it must be taken again.</summary>
    public long CategoryVersion => Interlocked.Read(ref _categoryVersion);

    /// <summary>
    /// Rows from <paramref name="from"/> on for the analytics database, without copying them: the column arrays
    /// themselves, since a row below <see cref="AnalyticsRows.End"/> is never written again (appends go after it, and
    /// growing a column makes a new array) except its category, of which the rows' slice is copied. Each string's
    /// merchant name is the insights one (the cleaned merchant, or the cleaned description where the statement had none).
    /// </summary>
    public AnalyticsRows AnalyticsRows(int from)
    {
        _lock.Enter();
        try
        {
            var (groupOfString, groupNames) = MerchantGroups();
            var merchantNames = new string[_strings.Count];
            for (var s = 0; s < merchantNames.Length; s++)
            {
                merchantNames[s] = groupNames[groupOfString[s]];
            }

            from = Math.Min(from, Count);
            return new AnalyticsRows(
                [.. _strings],
                merchantNames,
                [.. _batches],
                _days,
                _amounts,
                _currency,
                _description,
                _merchant,
                _account,
                _batch,
                _category.AsSpan(from, Count - from).ToArray(),
                from,
                Count,
                CategoryVersion);
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void CategoriesChanged() => Interlocked.Increment(ref _categoryVersion);
}

/// <summary>
/// Rows <see cref="From"/> to <see cref="End"/> of the projection for the analytics database (see
/// <see cref="TransactionProjection.AnalyticsRows"/>): the columns are indexed by position, except
/// <see cref="Category"/>, which holds only these rows. String columns index <see cref="Strings"/>;
/// <see cref="MerchantNames"/> gives each string's merchant name; merchants are -1 where the statement had none.
/// </summary>
internal sealed record AnalyticsRows(
    string[] Strings,
    string[] MerchantNames,
    Guid[] Batches,
    int[] Days,
    decimal[] Amounts,
    int[] Currency,
    int[] Description,
    int[] Merchant,
    int[] Account,
    int[] Batch,
    int[] Category,
    int From,
    int End,
    long CategoryVersion)
{
    public int Count => End - From;
}
