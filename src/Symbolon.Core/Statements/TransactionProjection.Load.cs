using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;

namespace Symbolon.Core.Statements;

/// <summary>
/// The projection's side for unlocking: a new projection is filled chunk by chunk on every core straight from the
/// decompressed bytes (<see cref="Filling"/>), with no object per chunk or row and no string for a text already
/// seen. Categories are computed by the rules as rows arrive, as <see cref="Recategorize"/> would. The dedupe
/// index, which only an import needs, is built when one first asks for it (<see cref="EnsureDedupeIndex"/>)
/// rather than before the first page or query can be answered.
/// </summary>
internal sealed partial class TransactionProjection
{
    // Rows below this position are counted in the dedupe index; rows from it on were loaded without it. The bank
    // references of those rows wait here as finished keys (hashed while their chunk was read), since the
    // projection keeps no reference column.
    private int _indexedRows;
    private List<UInt128> _unindexedReferences = [];

    /// <summary>
    /// Starts filling this projection, which must be new, with <paramref name="rows"/> transactions of
    /// <paramref name="batches"/> (in import order), categorized by <paramref name="rules"/> and then the person's
    /// own <paramref name="overrides"/>. <paramref name="sink"/>, when given, receives the rows in import order as
    /// soon as every chunk before them has been filled, until <paramref name="ct"/> stops it.
    /// </summary>
    public Filling Fill(
        int rows,
        IReadOnlyList<Guid> batches,
        IReadOnlyList<CategoryRule> rules,
        IReadOnlyDictionary<(Guid Batch, int Row), string> overrides,
        IFilledRows? sink = null,
        CancellationToken ct = default)
    {
        if (Count != 0 || _batches.Count != 0)
        {
            throw new InvalidOperationException("Only a new projection is filled.");
        }

        return new Filling(this, rows, batches, rules, overrides, sink, ct);
    }

    /// <summary>Counts the rows loaded without the dedupe index into it; callers hold the lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureDedupeIndex()
    {
        if (_indexedRows == Count)
        {
            return;
        }

        _fingerprints.EnsureCapacity(_fingerprints.Count + (Count - _indexedRows));
        _references.EnsureCapacity(_references.Count + _unindexedReferences.Count);
        for (var i = _indexedRows; i < Count; i++)
        {
            var fingerprint = FingerprintKey(_stringHashes[_account[i]], _days[i], _amounts[i], _stringHashes[_description[i]]);
            _fingerprints.Increment(fingerprint);
        }

        foreach (var reference in _unindexedReferences)
        {
            _references.Increment(reference);
        }

        _unindexedReferences = [];
        _indexedRows = Count;
    }

    // Newest first: day descending, then position descending. Days span a few thousand values at most, so a
    // counting sort by day (positions taken from the last down) puts a million rows in order in one pass each way
    // instead of a comparison sort; a range far wider than the row count falls back to sorting.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int[] SortNewestFirst()
    {
        var count = Count;
        var order = new int[count];
        if (count == 0)
        {
            return order;
        }

        var days = _days.AsSpan(0, count);
        int min = int.MaxValue, max = int.MinValue;
        foreach (var day in days)
        {
            min = Math.Min(min, day);
            max = Math.Max(max, day);
        }

        var range = (long)max - min + 1;
        if (range > Math.Max(4L * count, 1 << 16))
        {
            var keys = new long[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
                keys[i] = -(((long)days[i] << 32) | (uint)i);
            }

            Array.Sort(keys, order);
            return order;
        }

        // Bucket b holds day (max - b); its first slot follows every later day's rows.
        var starts = new int[range + 1];
        foreach (var day in days)
        {
            starts[max - day + 1]++;
        }

        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] += starts[b - 1];
        }

        for (var i = count - 1; i >= 0; i--)
        {
            order[starts[max - days[i]]++] = i;
        }

        return order;
    }

    // The same key as HashOf(string) for the string these UTF-8 bytes encode, without making the string.
    private static UInt128 HashOfUtf8(ReadOnlySpan<byte> utf8)
    {
        char[]? rented = null;
        var max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        var chars = max <= 512 ? stackalloc char[1024] : (rented = ArrayPool<char>.Shared.Rent(max * 2));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, chars);
            var upper = chars.Slice(length, length);
            chars[..length].ToUpperInvariant(upper);
            var bytes = Encoding.UTF8.GetMaxByteCount(length);
            Span<byte> buffer = bytes <= 1024 ? stackalloc byte[bytes] : new byte[bytes];
            return XxHash128.HashToUInt128(buffer[..Encoding.UTF8.GetBytes(upper, buffer)], HashSeed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}

/// <summary>Receives a projection's rows as it is filled, in import order, one call at a time (see <see cref="TransactionProjection.Fill"/>).</summary>
internal interface IFilledRows
{
    void Append(FilledRows rows);
}

/// <summary>
/// Rows <see cref="Start"/> to <see cref="Start"/> + <see cref="Count"/> of a projection being filled, valid during
/// the call: string columns index <see cref="Strings"/>, and <see cref="MerchantNames"/> gives each merchant or
/// description string the merchant name insights show; merchants are -1 where the statement had none.
/// </summary>
internal readonly struct FilledRows(
    int start, int count, IReadOnlyList<string> strings, IReadOnlyList<string?> merchantNames, IReadOnlyList<Guid> batches,
    int[] days, decimal[] amounts, int[] currency, int[] description, int[] merchant, int[] category, int[] account, int[] batch)
{
    public int Start => start;
    public int Count => count;
    public IReadOnlyList<string> Strings => strings;
    public IReadOnlyList<string?> MerchantNames => merchantNames;
    public IReadOnlyList<Guid> Batches => batches;
    public ReadOnlySpan<int> Days => days.AsSpan(start, count);
    public ReadOnlySpan<decimal> Amounts => amounts.AsSpan(start, count);
    public ReadOnlySpan<int> Currency => currency.AsSpan(start, count);
    public ReadOnlySpan<int> Description => description.AsSpan(start, count);
    public ReadOnlySpan<int> Merchant => merchant.AsSpan(start, count);
    public ReadOnlySpan<int> Category => category.AsSpan(start, count);
    public ReadOnlySpan<int> Account => account.AsSpan(start, count);
    public ReadOnlySpan<int> Batch => batch.AsSpan(start, count);
}
