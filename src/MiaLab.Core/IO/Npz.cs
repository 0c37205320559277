using System.IO.Compression;

namespace MiaLab.Core.IO;

/// <summary>
/// A zip of "&lt;key&gt;.npy" entries, as numpy.savez writes. Reading accepts stored and deflated
/// entries (savez and savez_compressed); writing stores, like savez.
/// </summary>
public static class Npz
{
    private static readonly DateTimeOffset FixedEntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        using var file = Npy.OpenRead(path);
        try
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue; // a directory record, not an array
                // numpy.load strips ".npy" to form the key; other names are kept as they are.
                string key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                using var s = entry.Open();
                arrays[key] = Npy.Read(s, $"{path}:{entry.FullName}");
            }
            return arrays;
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{path}: not a valid .npz (zip) file: {e.Message}");
        }
    }

    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        foreach (string key in arrays.Keys)
            if (key.Length == 0 || key.Contains('\\'))
                throw new ArgumentException($"invalid .npz key '{key}'", nameof(arrays));
        AtomicFile.Write(path, s =>
        {
            using var zip = new ZipArchive(s, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (key, array) in arrays)
            {
                var entry = zip.CreateEntry(key + ".npy", CompressionLevel.NoCompression);
                entry.LastWriteTime = FixedEntryTime; // identical arrays give identical files (and SHA-256)
                using var e = entry.Open();
                Npy.Write(e, array);
            }
        });
    }
}
