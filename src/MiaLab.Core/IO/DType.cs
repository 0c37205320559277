namespace MiaLab.Core.IO;

/// <summary>The element types MiaLab stores in .npy files (all little-endian on disk).</summary>
public enum DType { Float32, Float64, Int64, Int32, UInt8, Bool }

/// <summary>Per-dtype facts shared by the readers and writers: NumPy descr, size, CLR type.</summary>
internal static class DTypes
{
    public static int Size(DType t) => t switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.Int64 => 8,
        DType.Int32 => 4,
        DType.UInt8 => 1,
        DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>The descr string numpy writes for this dtype on a little-endian machine.</summary>
    public static string Descr(DType t) => t switch
    {
        DType.Float32 => "<f4",
        DType.Float64 => "<f8",
        DType.Int64 => "<i8",
        DType.Int32 => "<i4",
        DType.UInt8 => "|u1",
        DType.Bool => "|b1",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>The dtype for a descr, or null when MiaLab does not support it.</summary>
    public static DType? FromDescr(string descr) => descr switch
    {
        "<f4" => DType.Float32,
        "<f8" => DType.Float64,
        "<i8" => DType.Int64,
        "<i4" => DType.Int32,
        "|u1" => DType.UInt8,
        "|b1" => DType.Bool,
        _ => null,
    };

    public static DType? FromClrType(Type t) =>
        t == typeof(float) ? DType.Float32
        : t == typeof(double) ? DType.Float64
        : t == typeof(long) ? DType.Int64
        : t == typeof(int) ? DType.Int32
        : t == typeof(byte) ? DType.UInt8
        : t == typeof(bool) ? DType.Bool
        : null;

    public static string Name(DType t) => t switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int64 => "int64",
        DType.Int32 => "int32",
        DType.UInt8 => "uint8",
        DType.Bool => "bool",
        _ => t.ToString(),
    };

    public static Array Allocate(DType t, int length) => t switch
    {
        DType.Float32 => new float[length],
        DType.Float64 => new double[length],
        DType.Int64 => new long[length],
        DType.Int32 => new int[length],
        DType.UInt8 => new byte[length],
        DType.Bool => new bool[length],
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };
}
