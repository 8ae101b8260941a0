namespace Symbolon.Core.Statements;

/// <summary>The projection's side for the analytics database: its rows as columns, and what changed since a copy.</summary>
internal sealed partial class TransactionProjection
{
    private long _categoryVersion;

    /// <summary>Advanced whenever a transaction's category changes, so a copy knows it must be taken again.</summary>
    public long CategoryVersion => Interlocked.Read(ref _categoryVersion);

    /// <summary>
    /// Rows from <paramref name="from"/> on, as columns that index <see cref="AnalyticsColumns.Strings"/>, with every row's
    /// merchant as the insights name it (the cleaned merchant, or the cleaned description where the statement had none).
    /// </summary>
    public AnalyticsColumns CopyColumns(int from)
    {
        _lock.Enter();
        try
        {
            var (groupOfString, groupNames) = MerchantGroups();
            var count = Math.Max(0, Count - from);
            var columns = new AnalyticsColumns(
                [.. _strings],
                [.. groupNames],
                [.. _batches],
                _days.AsSpan(from, count).ToArray(),
                _amounts.AsSpan(from, count).ToArray(),
                _currency.AsSpan(from, count).ToArray(),
                _description.AsSpan(from, count).ToArray(),
                new int[count],
                _category.AsSpan(from, count).ToArray(),
                _account.AsSpan(from, count).ToArray(),
                _batch.AsSpan(from, count).ToArray(),
                [.. groupOfString],
                CategoryVersion,
                from + count);
            for (var i = 0; i < count; i++)
            {
                var merchant = _merchant[from + i];
                columns.MerchantGroup[i] = groupOfString[merchant >= 0 ? merchant : _description[from + i]];
            }

            return columns;
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void CategoriesChanged() => Interlocked.Increment(ref _categoryVersion);
}

/// <summary>A copy of projection rows for the analytics database (see <see cref="TransactionProjection.CopyColumns"/>).</summary>
internal sealed record AnalyticsColumns(
    string[] Strings,
    string[] MerchantNames,
    Guid[] Batches,
    int[] Days,
    decimal[] Amounts,
    int[] Currency,
    int[] Description,
    int[] MerchantGroup,
    int[] Category,
    int[] Account,
    int[] Batch,
    int[] MerchantGroupOfString,
    long CategoryVersion,
    int End)
{
    public int Count => Days.Length;
}
