namespace Symbolon.Core.Statements;

/// <summary>
/// How often each 128-bit dedupe key occurs. An unlocked vault keeps one key per transaction, so the layout
/// matters: one flat array of keys with open addressing (linear probing), 16 bytes a slot, against 48 an entry in a
/// <c>Dictionary&lt;UInt128, int&gt;</c> (UInt128 is 16-byte aligned) plus its buckets. Almost every key occurs once;
/// the lowest bit of a stored key says it occurs more often, and then its count is kept aside. One lookup is one
/// memory access, which is what a million inserts at an import's commit wait for. The keys are hashes already, so
/// their high bits pick the slot, and giving up their lowest bit leaves 127.
/// </summary>
internal sealed class DedupeKeyCounts
{
    private const double MaxLoad = 0.8;
    private static readonly UInt128 Repeated = UInt128.One;

    private readonly Dictionary<UInt128, int> _counts = [];
    private UInt128[] _keys = [];
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
            if ((found & ~Repeated) == key)
            {
                return (found & Repeated) == UInt128.Zero ? 1 : _counts[key];
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
            if (found == UInt128.Zero)
            {
                _keys[slot] = key;
                Count++;
                return;
            }

            if ((found & ~Repeated) == key)
            {
                if ((found & Repeated) == UInt128.Zero)
                {
                    _keys[slot] = key | Repeated;
                    _counts[key] = 2;
                }
                else
                {
                    _counts[key]++;
                }

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
        var old = _keys;
        _keys = new UInt128[size];
        _limit = (int)(size * MaxLoad);
        foreach (var key in old)
        {
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
        }
    }

    // The lowest bit is the "repeated" mark, and zero marks an empty slot (the one key that would be zero is kept
    // as two: a collision as unlikely as any other of the hash).
    private static UInt128 Stored(UInt128 key)
    {
        key &= ~Repeated;
        return key == UInt128.Zero ? (UInt128)2 : key;
    }

    private static int Slot(UInt128 key, int size) => (int)Math.BigMul((ulong)(key >> 64), (ulong)size, out _);

    private int Next(int slot) => slot + 1 == _keys.Length ? 0 : slot + 1;
}
