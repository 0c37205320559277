using System.IO.Compression;

namespace MiaLab.Core.IO;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format): magic 00 00 type ndim, ndim big-endian
/// int32 dimensions, then big-endian data. Gzipped files are recognised by their magic 1f 8b.
/// int8 and int16 widen to Int32 because DType has no narrower signed type.
/// </summary>
public static class Idx
{
    public static NpyArray Read(string path)
    {
        using var file = Npy.OpenRead(path);
        Span<byte> sniff = stackalloc byte[2];
        int n = BulkBinary.ReadUpTo(file, sniff);
        file.Position = 0;
        bool gzipped = n == 2 && sniff[0] == 0x1f && sniff[1] == 0x8b;
        try
        {
            if (!gzipped) return ReadRaw(file, path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var buffered = new BufferedStream(gz, 1 << 16);
            return ReadRaw(buffered, path);
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{path}: corrupt gzip data ({e.Message})");
        }
    }

    private static NpyArray ReadRaw(Stream s, string path)
    {
        Span<byte> magic = stackalloc byte[4];
        if (BulkBinary.ReadUpTo(s, magic) < 4 || magic[0] != 0 || magic[1] != 0)
            throw new InputException($"{path}: not an IDX file (the first two bytes must be 0)");
        byte typeCode = magic[2];
        int ndim = magic[3];

        var shape = new int[ndim];
        Span<byte> dim = stackalloc byte[4];
        long count = 1;
        for (int i = 0; i < ndim; i++)
        {
            if (BulkBinary.ReadUpTo(s, dim) < 4)
                throw new InputException($"{path}: truncated IDX header (expected {ndim} dimensions)");
            int d = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(dim);
            if (d < 0) throw new InputException($"{path}: IDX dimension {i} is negative ({d})");
            shape[i] = d;
            count *= d;
            if (count > Array.MaxLength)
                throw new InputException($"{path}: IDX array has more elements than .NET arrays hold ({Array.MaxLength})");
        }

        int length = (int)count;
        // The on-disk element array; int8/int16 are widened after the bulk read.
        Array raw = typeCode switch
        {
            0x08 => new byte[length],
            0x09 => new sbyte[length],
            0x0B => new short[length],
            0x0C => new int[length],
            0x0D => new float[length],
            0x0E => new double[length],
            _ => throw new InputException($"{path}: unknown IDX type code 0x{typeCode:X2} (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)"),
        };
        long expected = (long)length * System.Runtime.InteropServices.Marshal.SizeOf(raw.GetType().GetElementType()!);
        long got = BulkBinary.ReadInto(s, raw);
        if (got < expected)
            throw new InputException($"{path}: truncated IDX data: shape {NpyArray.FormatShape(shape)} needs {expected} bytes, found {got}");
        if (BitConverter.IsLittleEndian) BulkBinary.SwapBytes(raw);

        // Switch on the code, not the array: the CLR lets byte[] pass as sbyte[] in type tests.
        Array data = typeCode switch
        {
            0x09 => Array.ConvertAll((sbyte[])raw, v => (int)v),
            0x0B => Array.ConvertAll((short[])raw, v => (int)v),
            _ => raw,
        };
        return new NpyArray(data, shape) { Source = path };
    }
}
