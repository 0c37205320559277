using MiaLab.Core.IO;

namespace MiaLab.Core.Data;

/// <summary>
/// Turns feature and label arrays read from user files (npz, IDX) into a Dataset: maps the
/// array layout to a sample shape and checks the two arrays agree. Shared by the loaders.
/// </summary>
internal static class ArrayDatasets
{
    /// <param name="scaleBytes">uint8 features are pixels: scale them by 1/255 to [0, 1].</param>
    /// <param name="numClasses">null = max label + 1.</param>
    public static Dataset FromArrays(string name, NpyArray x, string xSource, NpyArray y, string ySource, bool scaleBytes, int? numClasses)
    {
        int[] sampleShape = x.Shape.Length switch
        {
            2 => [x.Shape[1]],                               // [N, D] vectors
            3 => [1, x.Shape[1], x.Shape[2]],                // [N, H, W] grey images
            4 => [x.Shape[1], x.Shape[2], x.Shape[3]],       // [N, C, H, W]
            _ => throw new InputException($"{xSource}: features have shape {NpyArray.FormatShape(x.Shape)}; expected [N, D], [N, H, W] or [N, C, H, W]"),
        };
        if (y.Shape.Length != 1)
            throw new InputException($"{ySource}: labels have shape {NpyArray.FormatShape(y.Shape)}; expected one dimension [N]");
        if (y.Shape[0] != x.Shape[0])
            throw new InputException($"{ySource}: {y.Shape[0]} labels for {x.Shape[0]} samples in {xSource}");
        if (x.Shape[0] == 0)
            throw new InputException($"{xSource}: the dataset has no samples");
        if (y.DType is DType.Float32 or DType.Float64 or DType.Bool)
            throw new InputException($"{ySource}: labels have dtype {DTypes.Name(y.DType)}; expected integer class indices (int64, int32 or uint8)");

        long[] labels = y.ToInt64();
        float[] features = scaleBytes && x.Data is byte[] pixels ? Dataset.ScalePixels(pixels) : x.ToFloat32();
        int classes = numClasses ?? checked((int)Math.Min(int.MaxValue, labels.Max() + 1));
        return new Dataset(name, features, sampleShape, labels, Math.Max(classes, 1));
    }
}
