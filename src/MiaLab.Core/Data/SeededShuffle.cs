namespace MiaLab.Core.Data;

/// <summary>
/// Deterministic index choices from a seed: Fisher–Yates over System.Random(seed), so the same
/// seed gives the same indices on every run (the reproducibility promise of the run directory).
/// </summary>
internal static class SeededShuffle
{
    /// <summary>A uniformly random permutation of 0..n-1.</summary>
    public static int[] Permutation(int n, Random rng)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p, rng);
        return p;
    }

    public static void Shuffle<T>(T[] items, Random rng)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// A seed for an independent stream (stream 1 = holdout choice, …) so that separate random
    /// choices do not reuse the same numbers. A fixed integer mix (splitmix-style), not
    /// HashCode.Combine, whose output changes from one process to the next.
    /// </summary>
    public static int DeriveSeed(int seed, int stream)
    {
        unchecked
        {
            ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)stream * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }
}
