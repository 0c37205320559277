namespace MiaLab.Core.IO;

/// <summary>
/// The one-dimensional arrays users hand MiaLab on their own (scores, membership, labels), read and
/// checked: shape (N,) only — a (10, 10) array is not 100 scores — and a dtype that means what the
/// array is. Each problem is one <see cref="InputException"/> naming the file.
/// </summary>
public static class NpyVectors
{
    /// <summary>Scores as float64 [N]; NaN marks an unscored sample, ±∞ is refused.</summary>
    public static double[] Scores(string path)
    {
        var a = Vector(path, "scores");
        if (a.DType == DType.Bool) throw new InputException($"{path}: scores have dtype bool; expected numbers (higher = member)");
        var values = a.ToFloat64();
        int bad = Array.FindIndex(values, double.IsInfinity);
        if (bad >= 0) throw new InputException($"{path}: score {values[bad]} at sample {bad} is infinite; use NaN for an unscored sample");
        return values;
    }

    /// <summary>Membership as bool [N]: a bool array, or integers that are all 0 or 1.</summary>
    public static bool[] Membership(string path)
    {
        var a = Vector(path, "membership");
        if (a.DType == DType.Bool) return a.Get<bool>();
        if (a.DType is DType.Float32 or DType.Float64) throw new InputException($"{path}: membership has dtype {DTypes.Name(a.DType)}; expected bool or 0/1 integers");
        var values = a.ToInt64();
        int bad = Array.FindIndex(values, v => v is not (0 or 1));
        if (bad >= 0) throw new InputException($"{path}: membership must be bool or 0/1, found {values[bad]} at sample {bad}");
        return values.Select(v => v == 1).ToArray();
    }

    /// <summary>Class labels as int64 [N]: integers ≥ 0 (bool and floating-point arrays are refused).</summary>
    public static long[] Labels(string path)
    {
        var a = Vector(path, "labels");
        if (a.DType is DType.Bool or DType.Float32 or DType.Float64)
            throw new InputException($"{path}: labels have dtype {DTypes.Name(a.DType)}; expected integer class indices (int64, int32 or uint8)");
        var values = a.ToInt64();
        int bad = Array.FindIndex(values, v => v < 0);
        if (bad >= 0) throw new InputException($"{path}: label {values[bad]} at sample {bad} is negative; labels are class indices 0…C−1");
        return values;
    }

    private static NpyArray Vector(string path, string what)
    {
        var a = Npy.Read(path);
        if (a.Shape.Length != 1)
            throw new InputException($"{path}: {what} must be one-dimensional, shape (N,), found {NpyArray.FormatShape(a.Shape)}"
                + (a.Shape.Length == 2 && a.Shape[1] == 1 ? " (save it with .reshape(-1))" : ""));
        return a;
    }
}
