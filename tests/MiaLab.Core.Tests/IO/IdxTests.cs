using System.IO.Compression;
using MiaLab.Core.IO;

namespace MiaLab.Core.Tests.IO;

public class IdxTests
{
    // A 2×3 uint8 image file: magic 00 00 08 02, dims 2 and 3 big-endian, 6 pixels.
    private static readonly byte[] TinyImages = [0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 10, 20, 30, 40, 255];

    private static string WriteFile(TempFolder dir, string name, byte[] content, bool gzip = false)
    {
        string path = dir.File(name);
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return path;
        }
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.Optimal);
        gz.Write(content);
        return path;
    }

    [Fact]
    public void ReadsRawAndGzippedFilesAlike()
    {
        using var dir = new TempFolder();
        foreach (bool gzip in new[] { false, true })
        {
            var a = Idx.Read(WriteFile(dir, gzip ? "t.gz" : "t", TinyImages, gzip));
            Assert.Equal(DType.UInt8, a.DType);
            Assert.Equal([2, 3], a.Shape);
            Assert.Equal([0, 10, 20, 30, 40, 255], a.Get<byte>());
        }
    }

    [Fact]
    public void ConvertsBigEndianTypes()
    {
        using var dir = new TempFolder();
        // int8 [2]: -1, 5 → Int32
        Assert.Equal([-1, 5], Idx.Read(WriteFile(dir, "i8", [0, 0, 0x09, 1, 0, 0, 0, 2, 0xFF, 5])).Get<int>());
        // int16 [1]: 0xFF 0xFE = -2 → Int32
        Assert.Equal([-2], Idx.Read(WriteFile(dir, "i16", [0, 0, 0x0B, 1, 0, 0, 0, 1, 0xFF, 0xFE])).Get<int>());
        // int32 [1]: 0x00 0x01 0x00 0x02 = 65538
        Assert.Equal([65538], Idx.Read(WriteFile(dir, "i32", [0, 0, 0x0C, 1, 0, 0, 0, 1, 0, 1, 0, 2])).Get<int>());
        // float32 [1]: 0x3F 0xC0 0x00 0x00 = 1.5
        Assert.Equal([1.5f], Idx.Read(WriteFile(dir, "f32", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0])).Get<float>());
        // float64 [1]: 0xC0 0x04 00.. = -2.5
        Assert.Equal([-2.5], Idx.Read(WriteFile(dir, "f64", [0, 0, 0x0E, 1, 0, 0, 0, 1, 0xC0, 0x04, 0, 0, 0, 0, 0, 0])).Get<double>());
    }

    [Fact]
    public void BadMagicIsAnInputError()
    {
        using var dir = new TempFolder();
        string path = WriteFile(dir, "bad", [1, 0, 0x08, 1, 0, 0, 0, 1, 7]);
        var e = Assert.Throws<InputException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("first two bytes", e.Message);
    }

    [Fact]
    public void TruncatedDataNamesExpectedAndActualBytes()
    {
        using var dir = new TempFolder();
        foreach (bool gzip in new[] { false, true })
        {
            string path = WriteFile(dir, gzip ? "short.gz" : "short", TinyImages[..15], gzip);
            var e = Assert.Throws<InputException>(() => Idx.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("needs 6 bytes, found 3", e.Message);
        }
    }

    [Fact]
    public void UnknownTypeCodeIsAnInputError()
    {
        using var dir = new TempFolder();
        string path = WriteFile(dir, "type", [0, 0, 0x0A, 1, 0, 0, 0, 1, 7]);
        var e = Assert.Throws<InputException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x0A", e.Message);
    }

    [Fact]
    public void CorruptGzipIsAnInputError()
    {
        using var dir = new TempFolder();
        string path = WriteFile(dir, "corrupt.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        var e = Assert.Throws<InputException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("gzip", e.Message);
    }
}
