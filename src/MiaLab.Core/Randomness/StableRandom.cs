namespace MiaLab.Core.Randomness;

/// <summary>
/// A small seeded generator (xoshiro256**, state filled by SplitMix64) whose sequence is fixed
/// by its definition, unlike System.Random whose algorithm may change between .NET versions.
/// It is the one random source of MiaLab: every random choice (population and holdout draws,
/// keep.npy, weights, batch order, attack splits, the bootstrap) comes from one of these, seeded
/// through <see cref="Seeds"/> from the run seed, a purpose and an index.
/// </summary>
public sealed class StableRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spare;

    public StableRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = Next(ref x); _s1 = Next(ref x); _s2 = Next(ref x); _s3 = Next(ref x);
        static ulong Next(ref ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            ulong z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A generator for (runSeed, purpose, index); see <see cref="Seeds.Derive64"/>.</summary>
    public static StableRandom For(int runSeed, string purpose, int index) => new(Seeds.Derive64(runSeed, purpose, index));

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, maxExclusive), without modulo bias (Lemire's method).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong range = (ulong)maxExclusive;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
            if (low >= range || low >= (0UL - range) % range) return (int)high;
        }
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal draw (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_spare is double s)
        {
            _spare = null;
            return s;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: the log stays finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A uniformly random permutation of 0..n−1.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p.AsSpan());
        return p;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A uniformly random subset of exactly <paramref name="k"/> of [0, n), as a mask.</summary>
    public bool[] Subset(int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        var index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        // Partial Fisher–Yates: the first k slots end up a uniform k-subset.
        for (int i = 0; i < k; i++)
        {
            int j = i + Next(n - i);
            (index[i], index[j]) = (index[j], index[i]);
        }
        var mask = new bool[n];
        for (int i = 0; i < k; i++) mask[index[i]] = true;
        return mask;
    }
}
