using System.Text;

namespace MiaLab.Core.Randomness;

/// <summary>
/// Derives the seed of every random choice from the run seed, a purpose ("keep", "init",
/// "batches", …) and an index (usually the model). Pure integer arithmetic (FNV-1a over the
/// purpose's UTF-8 bytes, then SplitMix64 mixing), so the same inputs give the same seed on
/// every run, machine and .NET version; string.GetHashCode and HashCode are randomised per
/// process and never used.
/// </summary>
public static class Seeds
{
    /// <summary>A non-negative 31-bit seed for (runSeed, purpose, index).</summary>
    public static int Derive(int runSeed, string purpose, int index) =>
        (int)(Derive64(runSeed, purpose, index) >> 33);

    /// <summary>The full 64-bit derived seed (for generators that take a long).</summary>
    public static ulong Derive64(int runSeed, string purpose, int index)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ulong h = Mix((ulong)(uint)runSeed ^ 0x6D69616C61620000UL); // "mialab" tag so seed 0 is not a fixed point
        h = Mix(h ^ Fnv1a(purpose));
        h = Mix(h ^ (ulong)(uint)index);
        return h;
    }

    /// <summary>64-bit FNV-1a of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= 0x100000001B3UL;
        }
        return h;
    }

    /// <summary>The SplitMix64 finaliser: a bijective avalanche of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
