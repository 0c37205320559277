using MiaLab.Core.IO;

namespace MiaLab.Core.Runs;

/// <summary>
/// Reads and checks the plan arrays of a run directory: labels.npy (int64 [N]), keep.npy
/// (bool [M, N]) and holdout.npy (bool [N], optional). Each problem is one
/// <see cref="InputException"/> naming the file and what was expected.
/// </summary>
public static class RunArrays
{
    private const string LabelsHint = "int64 [N] labels";
    private const string KeepHint = "bool [M, N] keep matrix";

    /// <summary>(M, N) from the headers of keep.npy and labels.npy, checked for consistency.</summary>
    public static (int Models, int Samples) Shape(RunLayout layout)
    {
        var labels = LabelsHeader(layout);
        var keep = KeepHeader(layout, labels.Shape[0]);
        return (keep.Shape[0], labels.Shape[0]);
    }

    /// <summary>labels.npy as int64 (int32 files are widened).</summary>
    public static long[] ReadLabels(RunLayout layout)
    {
        LabelsHeader(layout);
        var a = Npy.Read(layout.Labels);
        return a.Data switch
        {
            long[] l => l,
            int[] n => Array.ConvertAll(n, v => (long)v),
            _ => throw new InputException($"{layout.Labels}: expected int64 labels, found {DTypes.Name(a.DType)}"),
        };
    }

    /// <summary>keep.npy as M rows of N flags.</summary>
    public static bool[][] ReadKeep(RunLayout layout, int samples)
    {
        var header = KeepHeader(layout, samples);
        var flat = Npy.Read(layout.Keep).Get<bool>();
        int m = header.Shape[0], n = header.Shape[1];
        var keep = new bool[m][];
        for (int i = 0; i < m; i++)
        {
            keep[i] = new bool[n];
            Array.Copy(flat, (long)i * n, keep[i], 0, n);
        }
        return keep;
    }

    /// <summary>holdout.npy, or null when the run has no extra split.</summary>
    public static bool[]? ReadHoldout(RunLayout layout, int samples)
    {
        string path = layout.Holdout;
        if (!File.Exists(path)) return null;
        var (dtype, shape) = Npy.ReadHeader(path);
        if (dtype != DType.Bool)
            throw new InputException($"{path}: expected dtype bool, found {DTypes.Name(dtype)}");
        if (shape.Length != 1 || shape[0] != samples)
            throw new InputException($"{path}: expected shape ({samples},) like {RunLayout.LabelsFile}, found {NpyArray.FormatShape(shape)}");
        return Npy.Read(path).Get<bool>();
    }

    /// <summary>Writes the three plan arrays (each atomically); holdout.npy is removed when there is none.</summary>
    public static void Write(RunLayout layout, long[] labels, bool[][] keep, bool[]? holdout)
    {
        Npy.Write(layout.Labels, new NpyArray(labels, labels.Length));
        var flat = new bool[(long)keep.Length * labels.Length];
        for (int m = 0; m < keep.Length; m++) Array.Copy(keep[m], 0, flat, (long)m * labels.Length, labels.Length);
        Npy.Write(layout.Keep, new NpyArray(flat, keep.Length, labels.Length));
        if (holdout is not null) Npy.Write(layout.Holdout, new NpyArray(holdout, holdout.Length));
        else if (File.Exists(layout.Holdout)) File.Delete(layout.Holdout);
    }

    private static (DType DType, int[] Shape) Header(string path, string what)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: not found (a run directory needs {Path.GetFileName(path)}, the {what})");
        return Npy.ReadHeader(path);
    }

    private static (DType DType, int[] Shape) LabelsHeader(RunLayout layout)
    {
        var h = Header(layout.Labels, LabelsHint);
        if (h.DType is not (DType.Int64 or DType.Int32))
            throw new InputException($"{layout.Labels}: expected dtype int64, found {DTypes.Name(h.DType)}");
        if (h.Shape.Length != 1)
            throw new InputException($"{layout.Labels}: expected shape (N,), found {NpyArray.FormatShape(h.Shape)}");
        return h;
    }

    private static (DType DType, int[] Shape) KeepHeader(RunLayout layout, int samples)
    {
        var h = Header(layout.Keep, KeepHint);
        if (h.DType != DType.Bool)
            throw new InputException($"{layout.Keep}: expected dtype bool, found {DTypes.Name(h.DType)}");
        if (h.Shape.Length != 2)
            throw new InputException($"{layout.Keep}: expected shape (M, N), found {NpyArray.FormatShape(h.Shape)}");
        if (h.Shape[1] != samples)
            throw new InputException($"{layout.Keep}: has N = {h.Shape[1]} samples per model but {layout.Labels} has {samples}");
        return h;
    }
}
