namespace MiaLab.Core.IO;

/// <summary>An n-dimensional C-order array: what an .npy file holds.</summary>
public sealed class NpyArray
{
    /// <summary>Python's repr of a shape tuple, as numpy prints it: (), (3,), (2, 3).</summary>
    public static string FormatShape(IEnumerable<int> shape)
    {
        var dims = shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return dims.Count == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
    }

    /// <param name="data">float[], double[], long[], int[], byte[] or bool[], flattened in C order.</param>
    /// <param name="shape">Dimensions; an empty shape is a scalar holding one element.</param>
    public NpyArray(Array data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        DType = DTypes.FromClrType(data.GetType().GetElementType()!) is DType t && data.Rank == 1
            ? t
            : throw new ArgumentException($"unsupported array type {data.GetType()}; use float[], double[], long[], int[], byte[] or bool[]", nameof(data));
        long product = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape ({string.Join(", ", shape)})", nameof(shape));
            product *= d;
        }
        if (product != data.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {product} elements but data has {data.Length}", nameof(shape));
        Data = data;
        Shape = (int[])shape.Clone();
    }

    public int[] Shape { get; }
    public Array Data { get; }
    public DType DType { get; }
    public long Length => Data.LongLength;

    /// <summary>Where the array came from (a file, or file:entry), so type errors can name it.</summary>
    internal string? Source { get; init; }

    /// <summary>The data itself (no copy) when its dtype is T's; otherwise the user gave the wrong kind of array.</summary>
    public T[] Get<T>()
    {
        if (Data is T[] typed) return typed;
        string expected = DTypes.FromClrType(typeof(T)) is DType e ? DTypes.Name(e) : typeof(T).Name;
        string where = Source is null ? "array" : Source;
        throw new InputException($"{where}: expected dtype {expected}, found {DTypes.Name(DType)}");
    }

    public float[] ToFloat32()
    {
        switch (Data)
        {
            case float[] f: return (float[])f.Clone();
            case double[] d: { var r = new float[d.Length]; for (int i = 0; i < d.Length; i++) r[i] = (float)d[i]; return r; }
            case long[] l: { var r = new float[l.Length]; for (int i = 0; i < l.Length; i++) r[i] = l[i]; return r; }
            case int[] n: { var r = new float[n.Length]; for (int i = 0; i < n.Length; i++) r[i] = n[i]; return r; }
            case byte[] b: { var r = new float[b.Length]; for (int i = 0; i < b.Length; i++) r[i] = b[i]; return r; }
            case bool[] q: { var r = new float[q.Length]; for (int i = 0; i < q.Length; i++) r[i] = q[i] ? 1f : 0f; return r; }
            default: throw new InvalidOperationException($"unexpected data type {Data.GetType()}");
        }
    }

    public double[] ToFloat64()
    {
        switch (Data)
        {
            case float[] f: { var r = new double[f.Length]; for (int i = 0; i < f.Length; i++) r[i] = f[i]; return r; }
            case double[] d: return (double[])d.Clone();
            case long[] l: { var r = new double[l.Length]; for (int i = 0; i < l.Length; i++) r[i] = l[i]; return r; }
            case int[] n: { var r = new double[n.Length]; for (int i = 0; i < n.Length; i++) r[i] = n[i]; return r; }
            case byte[] b: { var r = new double[b.Length]; for (int i = 0; i < b.Length; i++) r[i] = b[i]; return r; }
            case bool[] q: { var r = new double[q.Length]; for (int i = 0; i < q.Length; i++) r[i] = q[i] ? 1.0 : 0.0; return r; }
            default: throw new InvalidOperationException($"unexpected data type {Data.GetType()}");
        }
    }

    /// <summary>Integer copy. Floating-point values must be whole numbers (labels saved as float are common).</summary>
    public long[] ToInt64()
    {
        switch (Data)
        {
            case float[] f: { var r = new long[f.Length]; for (int i = 0; i < f.Length; i++) r[i] = WholeNumber(f[i], i); return r; }
            case double[] d: { var r = new long[d.Length]; for (int i = 0; i < d.Length; i++) r[i] = WholeNumber(d[i], i); return r; }
            case long[] l: return (long[])l.Clone();
            case int[] n: { var r = new long[n.Length]; for (int i = 0; i < n.Length; i++) r[i] = n[i]; return r; }
            case byte[] b: { var r = new long[b.Length]; for (int i = 0; i < b.Length; i++) r[i] = b[i]; return r; }
            case bool[] q: { var r = new long[q.Length]; for (int i = 0; i < q.Length; i++) r[i] = q[i] ? 1 : 0; return r; }
            default: throw new InvalidOperationException($"unexpected data type {Data.GetType()}");
        }
    }

    private long WholeNumber(double v, int index)
    {
        // 2^63 is exactly representable; anything at or beyond it does not fit a long.
        if (v != Math.Floor(v) || double.IsInfinity(v) || v >= 9.2233720368547758e18 || v < -9.2233720368547758e18)
            throw new InputException($"{Source ?? "array"}: element {index} is {v}, not a whole number, so it cannot be converted to int64");
        return (long)v;
    }
}
