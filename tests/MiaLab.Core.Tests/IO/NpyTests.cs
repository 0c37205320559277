using System.Text;
using MiaLab.Core.IO;

namespace MiaLab.Core.Tests.IO;

public class NpyTests
{
    private static NpyArray RoundTrip(TempFolder dir, NpyArray a)
    {
        string path = dir.File("a.npy");
        Npy.Write(path, a);
        return Npy.Read(path);
    }

    [Fact]
    public void EverySupportedDTypeRoundTrips()
    {
        using var dir = new TempFolder();
        Array[] inputs =
        [
            new float[] { 1.5f, -2.25f, float.MaxValue, float.Epsilon, 0f, -0f },
            new double[] { Math.PI, -1e300, double.Epsilon, 0, 1, 2 },
            new long[] { long.MinValue, -1, 0, 1, long.MaxValue, 42 },
            new int[] { int.MinValue, -1, 0, 1, int.MaxValue, 7 },
            new byte[] { 0, 1, 127, 128, 254, 255 },
            new bool[] { true, false, false, true, true, false },
        ];
        DType[] expected = [DType.Float32, DType.Float64, DType.Int64, DType.Int32, DType.UInt8, DType.Bool];
        for (int k = 0; k < inputs.Length; k++)
        {
            var back = RoundTrip(dir, new NpyArray(inputs[k], 2, 3));
            Assert.Equal(expected[k], back.DType);
            Assert.Equal([2, 3], back.Shape);
            Assert.Equal(inputs[k], back.Data);
            Assert.Equal(6, back.Length);
        }
    }

    [Fact]
    public void ThreeDimensionalAndScalarAndEmptyShapesRoundTrip()
    {
        using var dir = new TempFolder();
        var cube = Enumerable.Range(0, 24).Select(i => i * 0.5).ToArray();
        var back = RoundTrip(dir, new NpyArray(cube, 2, 3, 4));
        Assert.Equal([2, 3, 4], back.Shape);
        Assert.Equal(cube, back.Get<double>());

        var scalar = RoundTrip(dir, new NpyArray(new long[] { 123 }));
        Assert.Empty(scalar.Shape);
        Assert.Equal([123L], scalar.Get<long>());

        var empty = RoundTrip(dir, new NpyArray(Array.Empty<float>(), 0, 5));
        Assert.Equal([0, 5], empty.Shape);
        Assert.Equal(0, empty.Length);
    }

    [Fact]
    public void HeaderIsByteExactAndAlignedTo64()
    {
        // float32 [2, 3]: the dict is 59 characters; numpy adds 21 - len("2") = 20 spaces of
        // growth room, then pads so magic(6) + version(2) + length(2) + header ends at 128.
        var ms = new MemoryStream();
        Npy.Write(ms, new NpyArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        byte[] bytes = ms.ToArray();

        Assert.Equal(128 + 24, bytes.Length);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 }, bytes[..10]);
        string header = Encoding.Latin1.GetString(bytes, 10, 118);
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        Assert.Equal(59, dict.Length);
        Assert.Equal(dict + new string(' ', 58) + "\n", header);
        Assert.Equal(0, (10 + 118) % 64);
        Assert.Equal(BitConverter.GetBytes(1f), bytes[128..132]);
    }

    [Fact]
    public void OneDimensionalAndScalarHeadersUsePythonTupleSyntax()
    {
        // int64 [3]: a 57-character dict + 20 spaces of growth room, padded to 128 bytes.
        var ms = new MemoryStream();
        Npy.Write(ms, new NpyArray(new long[] { 1, 2, 3 }, 3));
        byte[] bytes = ms.ToArray();
        Assert.Equal(128 + 24, bytes.Length);
        Assert.Equal(118, bytes[8] | (bytes[9] << 8));
        Assert.Equal("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }" + new string(' ', 60) + "\n",
            Encoding.Latin1.GetString(bytes, 10, 118));

        // A scalar has no first axis to grow: a 55-character dict padded to 128 bytes.
        ms = new MemoryStream();
        Npy.Write(ms, new NpyArray(new bool[] { true }));
        bytes = ms.ToArray();
        Assert.Equal(129, bytes.Length);
        Assert.Equal("{'descr': '|b1', 'fortran_order': False, 'shape': (), }" + new string(' ', 62) + "\n",
            Encoding.Latin1.GetString(bytes, 10, 118));
        Assert.Equal(1, bytes[128]);
    }

    private static byte[] BuildFile(int major, string header, byte[] data)
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        byte[] h = Encoding.Latin1.GetBytes(header);
        if (major == 1) ms.Write(BitConverter.GetBytes((ushort)h.Length));
        else ms.Write(BitConverter.GetBytes((uint)h.Length));
        ms.Write(h);
        ms.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void ReadsVersion2HeadersAndDoubleQuotesAndPython2Longs()
    {
        using var dir = new TempFolder();
        string path = dir.File("v2.npy");
        byte[] data = [.. BitConverter.GetBytes(7), .. BitConverter.GetBytes(-8)];
        File.WriteAllBytes(path, BuildFile(2, "{\"shape\": (2L,), 'fortran_order': False, 'descr': '<i4'}   \n", data));

        var a = Npy.Read(path);
        Assert.Equal(DType.Int32, a.DType);
        Assert.Equal([2], a.Shape);
        Assert.Equal([7, -8], a.Get<int>());
        var (dtype, shape) = Npy.ReadHeader(path);
        Assert.Equal(DType.Int32, dtype);
        Assert.Equal([2], shape);
    }

    [Fact]
    public void ReadsVersion3Headers()
    {
        var s = new MemoryStream(BuildFile(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n", [9, 8, 7]));
        Assert.Equal([9, 8, 7], Npy.Read(s, "mem").Get<byte>());
    }

    [Fact]
    public void FortranOrderIsAcceptedForOneDimensionalArrays()
    {
        var s = new MemoryStream(BuildFile(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (3,), }\n", [1, 2, 3]));
        Assert.Equal([1, 2, 3], Npy.Read(s, "mem").Get<byte>());
    }

    [Fact]
    public void GetWithTheWrongTypeNamesBothDTypes()
    {
        var a = new NpyArray(new float[] { 1 }, 1);
        var e = Assert.Throws<InputException>(() => a.Get<double>());
        Assert.Contains("float64", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void ConstructorRejectsShapeDataMismatch()
    {
        Assert.Throws<ArgumentException>(() => new NpyArray(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => new NpyArray(new float[2]));
        Assert.Throws<ArgumentException>(() => new NpyArray(new short[1], 1));
    }

    [Fact]
    public void ConversionsCopyAcrossDTypes()
    {
        var b = new NpyArray(new byte[] { 0, 200, 255 }, 3);
        Assert.Equal([0f, 200f, 255f], b.ToFloat32());
        Assert.Equal([0.0, 200.0, 255.0], b.ToFloat64());
        Assert.Equal([0L, 200L, 255L], b.ToInt64());
        Assert.Equal([1L, 0L], new NpyArray(new bool[] { true, false }, 2).ToInt64());
        Assert.Equal([3L, -2L], new NpyArray(new double[] { 3.0, -2.0 }, 2).ToInt64());
        Assert.Throws<InputException>(() => new NpyArray(new float[] { 1.5f }, 1).ToInt64());

        var f = new float[] { 1, 2 };
        var a = new NpyArray(f, 2);
        Assert.Same(f, a.Get<float>());
        Assert.NotSame(f, a.ToFloat32());
    }

    private static InputException ReadBytesExpectingError(byte[] content)
    {
        using var dir = new TempFolder();
        string path = dir.File("bad.npy");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<InputException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void BadMagicIsAnInputError()
    {
        var e = ReadBytesExpectingError(Encoding.ASCII.GetBytes("PK\x03\x04 not numpy at all"));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void FortranOrderIsAnInputError()
    {
        var e = ReadBytesExpectingError(BuildFile(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", new byte[16]));
        Assert.Contains("Fortran-ordered", e.Message);
        Assert.Contains("numpy.ascontiguousarray", e.Message);
    }

    [Fact]
    public void BigEndianIsAnInputError()
    {
        var e = ReadBytesExpectingError(BuildFile(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", new byte[8]));
        Assert.Contains("big-endian", e.Message);
        Assert.Contains("'>f4'", e.Message);
    }

    [Fact]
    public void UnsupportedDTypesAreInputErrors()
    {
        foreach (string descr in new[] { "<f2", "<U10", "|O", "<u2", "|i1" })
        {
            var e = ReadBytesExpectingError(BuildFile(1, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}\n", new byte[40]));
            Assert.Contains($"'{descr}'", e.Message);
            Assert.Contains("unsupported dtype", e.Message);
        }
        var structured = ReadBytesExpectingError(BuildFile(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", new byte[4]));
        Assert.Contains("structured", structured.Message);
    }

    [Fact]
    public void TruncatedDataIsAnInputErrorNamingTheByteCounts()
    {
        var e = ReadBytesExpectingError(BuildFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n", new byte[20]));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("32", e.Message);
        Assert.Contains("20", e.Message);

        // A non-seekable stream reaches the same verdict by reading.
        var s = new NonSeekable(BuildFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n", new byte[20]));
        Assert.Contains("found 20", Assert.Throws<InputException>(() => Npy.Read(s, "entry")).Message);
    }

    [Fact]
    public void TruncatedHeaderIsAnInputError()
    {
        byte[] full = BuildFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n", []);
        ReadBytesExpectingError(full[..30]);
        ReadBytesExpectingError(full[..9]);
    }

    [Fact]
    public void MalformedHeadersAreInputErrors()
    {
        string[] headers =
        [
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2) \n",        // unclosed dict
            "{'descr': '<f4', 'fortran_order': False}\n",                          // no shape
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }\n",             // bool expected
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }\n",       // non-integer dim
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n",        // negative dim
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk\n",    // trailing text
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n",   // extra key
            "['descr', '<f4']\n",                                                   // not a dict
        ];
        foreach (string h in headers)
        {
            var e = ReadBytesExpectingError(BuildFile(1, h, new byte[16]));
            Assert.Contains(".npy", e.Message);
        }
    }

    [Fact]
    public void UnknownVersionIsAnInputError()
    {
        byte[] file = BuildFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new byte[4]);
        file[6] = 9;
        var e = ReadBytesExpectingError(file);
        Assert.Contains("9.0", e.Message);
    }

    [Fact]
    public void MissingFileIsAnInputError()
    {
        using var dir = new TempFolder();
        string path = dir.File("nope.npy");
        Assert.Contains(path, Assert.Throws<InputException>(() => Npy.Read(path)).Message);
    }

    [Fact]
    public void LargeHeadersSwitchToVersion2()
    {
        // 70,000 dimensions of 1 make the shape tuple longer than a 2-byte header length allows.
        var shape = Enumerable.Repeat(1, 70_000).ToArray();
        var ms = new MemoryStream();
        Npy.Write(ms, new NpyArray(new byte[] { 5 }, shape));
        byte[] bytes = ms.ToArray();
        Assert.Equal(2, bytes[6]);
        Assert.Equal(0, (bytes.Length - 1) % 64);
        ms.Position = 0;
        var back = Npy.Read(ms, "mem");
        Assert.Equal(70_000, back.Shape.Length);
        Assert.Equal([5], back.Get<byte>());
    }

    [Fact]
    public void WriteIsAtomicAndOverwrites()
    {
        using var dir = new TempFolder();
        string path = dir.File("a.npy");
        Npy.Write(path, new NpyArray(new int[] { 1 }, 1));
        Npy.Write(path, new NpyArray(new int[] { 2, 3 }, 2));
        Assert.Equal([2, 3], Npy.Read(path).Get<int>());
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
