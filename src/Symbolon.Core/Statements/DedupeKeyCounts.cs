namespace Symbolon.Core.Statements;

/// <summary>
/// How often each 128-bit dedupe key occurs, in two flat arrays with open addressing (linear probing). An unlocked
/// vault keeps one key per transaction, so the layout matters: 20 bytes a slot here against 48 an entry in a
/// <c>Dictionary&lt;UInt128, int&gt;</c> (UInt128 is 16-byte aligned), and one array pair instead of a bucket array
/// next to the entries. The keys are hashes already, so their high bits pick the slot.
/// </summary>
internal sealed class DedupeKeyCounts
{
    private const double MaxLoad = 0.8;

    private UInt128[] _keys = [];
    private int[] _counts = [];
    private int _limit;

    /// <summary>Distinct keys held.</summary>
    public int Count { get; private set; }

    public int Get(UInt128 key)
    {
        if (_keys.Length == 0)
        {
            return 0;
        }

        key = Stored(key);
        for (var slot = Slot(key, _keys.Length); ; slot = Next(slot))
        {
            var found = _keys[slot];
            if (found == key)
            {
                return _counts[slot];
            }

            if (found == UInt128.Zero)
            {
                return 0;
            }
        }
    }

    public bool Contains(UInt128 key) => Get(key) > 0;

    /// <summary>Counts one more occurrence of <paramref name="key"/>.</summary>
    public void Increment(UInt128 key)
    {
        if (Count >= _limit)
        {
            EnsureCapacity(Count + 1);
        }

        key = Stored(key);
        for (var slot = Slot(key, _keys.Length); ; slot = Next(slot))
        {
            var found = _keys[slot];
            if (found == key)
            {
                _counts[slot]++;
                return;
            }

            if (found == UInt128.Zero)
            {
                _keys[slot] = key;
                _counts[slot] = 1;
                Count++;
                return;
            }
        }
    }

    /// <summary>Makes room for <paramref name="keys"/> distinct keys at once (an import's, before it adds them).</summary>
    public void EnsureCapacity(int keys)
    {
        var needed = (int)Math.Min(Array.MaxLength, Math.Ceiling(keys / MaxLoad) + 1);
        if (needed <= _keys.Length)
        {
            return;
        }

        var size = Math.Max(needed, Math.Min(Array.MaxLength, _keys.Length + (_keys.Length / 2)));
        var oldKeys = _keys;
        var oldCounts = _counts;
        _keys = new UInt128[size];
        _counts = new int[size];
        _limit = (int)(size * MaxLoad);
        for (var i = 0; i < oldKeys.Length; i++)
        {
            var key = oldKeys[i];
            if (key == UInt128.Zero)
            {
                continue;
            }

            var slot = Slot(key, size);
            while (_keys[slot] != UInt128.Zero)
            {
                slot = Next(slot);
            }

            _keys[slot] = key;
            _counts[slot] = oldCounts[i];
        }
    }

    // Zero marks an empty slot; the one key that is zero is kept as one (a hash collision as unlikely as any other).
    private static UInt128 Stored(UInt128 key) => key == UInt128.Zero ? UInt128.One : key;

    private static int Slot(UInt128 key, int size) => (int)Math.BigMul((ulong)(key >> 64), (ulong)size, out _);

    private int Next(int slot) => slot + 1 == _keys.Length ? 0 : slot + 1;
}
