using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MiaLab.Core.IO;

/// <summary>
/// Whole-array reads and writes as raw bytes (no per-element loop), in chunks so that arrays
/// over 2 GB of bytes still fit a Span&lt;byte&gt;. Files reach hundreds of MB.
/// </summary>
internal static class BulkBinary
{
    private const int ChunkBytes = 1 << 26;

    /// <summary>Reads until dest is full or the stream ends; returns the bytes read.</summary>
    public static int ReadUpTo(Stream s, Span<byte> dest) => s.ReadAtLeast(dest, dest.Length, throwOnEndOfStream: false);

    /// <summary>Fills the array's bytes from the stream; returns the number of bytes read (short on end of stream).</summary>
    public static long ReadInto(Stream s, Array array)
    {
        long total = 0;
        int elementSize = ElementSize(array);
        int perChunk = Math.Max(1, ChunkBytes / elementSize);
        for (int start = 0; start < array.Length; start += perChunk)
        {
            int count = Math.Min(perChunk, array.Length - start);
            Span<byte> dest = ElementBytes(array, start, count);
            int got = ReadUpTo(s, dest);
            total += got;
            if (got < dest.Length) break;
        }
        return total;
    }

    public static void Write(Stream s, Array array)
    {
        int elementSize = ElementSize(array);
        int perChunk = Math.Max(1, ChunkBytes / elementSize);
        for (int start = 0; start < array.Length; start += perChunk)
        {
            int count = Math.Min(perChunk, array.Length - start);
            s.Write(ElementBytes(array, start, count));
        }
    }

    public static void Hash<T>(IncrementalHash hash, T[] array) where T : unmanaged
    {
        int perChunk = Math.Max(1, ChunkBytes / Marshal.SizeOf<T>());
        for (int start = 0; start < array.Length; start += perChunk)
        {
            int count = Math.Min(perChunk, array.Length - start);
            hash.AppendData(MemoryMarshal.AsBytes(array.AsSpan(start, count)));
        }
    }

    /// <summary>Reverses the byte order of every element in place (big-endian files, or a big-endian host).</summary>
    public static void SwapBytes(Array array)
    {
        switch (array)
        {
            case float[] f: { var v = MemoryMarshal.Cast<float, int>(f.AsSpan()); BinaryPrimitives.ReverseEndianness(v, v); break; }
            case double[] d: { var v = MemoryMarshal.Cast<double, long>(d.AsSpan()); BinaryPrimitives.ReverseEndianness(v, v); break; }
            case long[] l: BinaryPrimitives.ReverseEndianness(l, l); break;
            case int[] i: BinaryPrimitives.ReverseEndianness(i, i); break;
            case short[] h: BinaryPrimitives.ReverseEndianness(h, h); break;
            case byte[] or bool[] or sbyte[]: break;
            default: throw new ArgumentException($"unsupported array type {array.GetType()}");
        }
    }

    private static int ElementSize(Array array) => array switch
    {
        float[] => 4,
        double[] => 8,
        long[] => 8,
        int[] => 4,
        short[] => 2,
        byte[] or bool[] or sbyte[] => 1,
        _ => throw new ArgumentException($"unsupported array type {array.GetType()}"),
    };

    private static Span<byte> ElementBytes(Array array, int start, int count) => array switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan(start, count)),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan(start, count)),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan(start, count)),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan(start, count)),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan(start, count)),
        byte[] a => a.AsSpan(start, count),
        bool[] a => MemoryMarshal.AsBytes(a.AsSpan(start, count)),
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan(start, count)),
        _ => throw new ArgumentException($"unsupported array type {array.GetType()}"),
    };
}
