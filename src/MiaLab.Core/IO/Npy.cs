namespace MiaLab.Core.IO;

/// <summary>
/// Reads and writes NumPy .npy files (little-endian, C order), the array format of the run
/// directory, so Python users can <c>numpy.load</c> what MiaLab writes and the reverse.
/// </summary>
public static class Npy
{
    public static NpyArray Read(string path)
    {
        using var s = OpenRead(path);
        return Read(s, path);
    }

    /// <param name="sourceName">Names the data in error messages (a path, or archive:entry).</param>
    public static NpyArray Read(Stream s, string sourceName)
    {
        var info = NpyHeader.Read(s, sourceName);
        if (s.CanSeek && s.Length - s.Position < info.DataBytes)
            throw Truncated(sourceName, info, s.Length - s.Position); // before allocating a huge array for nothing

        Array data = DTypes.Allocate(info.DType, checked((int)(info.DataBytes / DTypes.Size(info.DType))));
        long got = BulkBinary.ReadInto(s, data);
        if (got < info.DataBytes) throw Truncated(sourceName, info, got);

        // numpy ignores bytes after the data; here they mean the file is not what its header says.
        if (s.CanSeek && s.Position < s.Length)
            throw new InputException($"{sourceName}: {s.Length - s.Position} bytes follow the data that its header describes (shape {NpyArray.FormatShape(info.Shape)} of {DTypes.Name(info.DType)}); the file is damaged or was written with a wrong header");
        if (data is bool[] flags) NormalizeBools(flags);
        if (!BitConverter.IsLittleEndian) BulkBinary.SwapBytes(data);
        return new NpyArray(data, info.Shape) { Source = sourceName };
    }

    /// <summary>The dtype and shape without loading the data (to check a large file cheaply).</summary>
    public static (DType DType, int[] Shape) ReadHeader(string path)
    {
        using var s = OpenRead(path);
        var info = NpyHeader.Read(s, path);
        return (info.DType, info.Shape);
    }

    public static void Write(string path, NpyArray a)
    {
        ArgumentNullException.ThrowIfNull(a);
        AtomicFile.Write(path, s => Write(s, a));
    }

    public static void Write(Stream s, NpyArray a)
    {
        ArgumentNullException.ThrowIfNull(a);
        s.Write(NpyHeader.Build(a.DType, a.Shape));
        Array data = a.Data;
        if (!BitConverter.IsLittleEndian)
        {
            data = (Array)data.Clone();
            BulkBinary.SwapBytes(data);
        }
        BulkBinary.Write(s, data);
    }

    internal static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"{path}: file not found");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InputException(Directory.Exists(path) ? $"{path}: is a folder, expected an .npy file" : $"{path}: permission denied");
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            throw new InputException($"{path}: cannot read ({AtomicFile.Reason(e)})");
        }
    }

    private static InputException Truncated(string source, NpyHeader.Info info, long found) =>
        new($"{source}: truncated .npy file: shape {NpyArray.FormatShape(info.Shape)} of {DTypes.Name(info.DType)} needs {info.DataBytes} data bytes, found {found}");

    /// <summary>.NET bools must be 0 or 1; a stray byte value from another writer becomes true.</summary>
    private static void NormalizeBools(bool[] flags)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(flags.AsSpan());
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] > 1) bytes[i] = 1;
    }
}
