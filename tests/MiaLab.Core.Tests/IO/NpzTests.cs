using System.IO.Compression;
using MiaLab.Core.IO;

namespace MiaLab.Core.Tests.IO;

public class NpzTests
{
    [Fact]
    public void RoundTripKeepsKeysShapesAndData()
    {
        using var dir = new TempFolder();
        string path = dir.File("d.npz");
        var arrays = new Dictionary<string, NpyArray>
        {
            ["x"] = new(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2),
            ["y"] = new(new long[] { 0, 1, 0 }, 3),
            ["keep"] = new(new bool[] { true, false }, 1, 2),
        };
        Npz.Write(path, arrays);
        var back = Npz.Read(path);

        Assert.Equal(["keep", "x", "y"], back.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal([3, 2], back["x"].Shape);
        Assert.Equal(arrays["x"].Data, back["x"].Data);
        Assert.Equal(arrays["y"].Data, back["y"].Data);
        Assert.Equal(arrays["keep"].Data, back["keep"].Data);

        // Entries are named like numpy.savez names them.
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["keep.npy", "x.npy", "y.npy"], zip.Entries.Select(e => e.FullName).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void ReadsDeflatedEntriesLikeSavezCompressed()
    {
        using var dir = new TempFolder();
        string path = dir.File("c.npz");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("labels.npy", CompressionLevel.Optimal).Open();
            Npy.Write(s, new NpyArray(new int[] { 4, 5, 6 }, 3));
        }
        Assert.Equal([4, 5, 6], Npz.Read(path)["labels"].Get<int>());
    }

    [Fact]
    public void ErrorsInsideAnEntryNameTheArchiveAndEntry()
    {
        using var dir = new TempFolder();
        string path = dir.File("bad.npz");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("x.npy").Open();
            s.Write("not an npy file"u8);
        }
        var e = Assert.Throws<InputException>(() => Npz.Read(path));
        Assert.Contains($"{path}:x.npy", e.Message);
    }

    [Fact]
    public void ANonZipFileIsAnInputError()
    {
        using var dir = new TempFolder();
        string path = dir.File("fake.npz");
        File.WriteAllText(path, "hello, not a zip");
        Assert.Contains(path, Assert.Throws<InputException>(() => Npz.Read(path)).Message);
    }
}
