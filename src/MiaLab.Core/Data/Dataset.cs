using System.Buffers.Binary;
using System.Security.Cryptography;
using MiaLab.Core.IO;

namespace MiaLab.Core.Data;

/// <summary>
/// Labelled samples held in memory: N samples of one shape (images [C,H,W], vectors [D]) as
/// one flat float array, with integer class labels. Validated once on construction so every
/// later stage can trust it.
/// </summary>
public sealed class Dataset
{
    /// <summary>Byte pixels → [0, 1] through a 256-entry table: one lookup per pixel. Every
    /// loader of uint8 images uses this, so all of them scale alike.</summary>
    public static float[] ScalePixels(byte[] pixels)
    {
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = v / 255f;
        var result = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) result[i] = table[pixels[i]];
        return result;
    }

    public Dataset(string name, float[] features, int[] sampleShape, long[] labels, int numClasses)
        : this(name, features, sampleShape, labels, numClasses, validate: true)
    {
    }

    private Dataset(string name, float[] features, int[] sampleShape, long[] labels, int numClasses, bool validate)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(labels);
        Name = name;
        Features = features;
        SampleShape = (int[])sampleShape.Clone();
        Labels = labels;
        NumClasses = numClasses;
        if (validate) Validate();
        else FeatureLength = Product(SampleShape);
    }

    public string Name { get; }
    /// <summary>Sample i occupies Features[i*FeatureLength .. (i+1)*FeatureLength), C order.</summary>
    public float[] Features { get; }
    public int[] SampleShape { get; }
    public long[] Labels { get; }
    public int NumClasses { get; }
    public int Count => Labels.Length;
    public int FeatureLength { get; private set; }
    public bool IsImage => SampleShape.Length == 3;

    /// <summary>Image-to-image data: sample i's target occupies Targets[i*TargetLength ..), shape
    /// <see cref="TargetShape"/> [C, H, W] in [0, 1]; null for a classification dataset.</summary>
    public float[]? Targets { get; private init; }
    public int[]? TargetShape { get; private init; }
    public int TargetLength => TargetShape is null ? 0 : Product(TargetShape);

    /// <summary>The same samples with a target image each (an image-to-image task's pairs).</summary>
    public Dataset WithTargets(float[] targets, int[] targetShape)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Length != 3 || targetShape.Any(d => d <= 0))
            throw new InputException($"dataset '{Name}': target shape {Shape(targetShape)} must be [C, H, W], all positive");
        long expected = (long)Product(targetShape) * Count;
        if (targets.Length != expected)
            throw new InputException($"dataset '{Name}': {targets.Length} target values do not match {Count} samples of target shape {Shape(targetShape)} ({expected} values)");
        int bad = Array.FindIndex(targets, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new InputException($"dataset '{Name}': the target of sample {bad / Product(targetShape)} has a non-finite value ({targets[bad]})");
        return new Dataset(Name, Features, SampleShape, Labels, NumClasses, validate: false) { Targets = targets, TargetShape = (int[])targetShape.Clone() };
    }

    private void Validate()
    {
        if (SampleShape.Length == 0 || SampleShape.Any(d => d <= 0))
            throw new InputException($"dataset '{Name}': sample shape {Shape(SampleShape)} must have at least one dimension, all positive");
        long featureLength = SampleShape.Aggregate(1L, (a, d) => a * d);
        long expected = featureLength * Labels.Length;
        if (featureLength > int.MaxValue || expected != Features.Length)
            throw new InputException($"dataset '{Name}': {Features.Length} feature values do not match {Labels.Length} samples of shape {Shape(SampleShape)} ({expected} values)");
        FeatureLength = (int)featureLength;
        if (NumClasses < 1)
            throw new InputException($"dataset '{Name}': the number of classes must be at least 1 (got {NumClasses})");

        for (int i = 0; i < Labels.Length; i++)
            if ((ulong)Labels[i] >= (ulong)NumClasses)
                throw new InputException($"dataset '{Name}': label of sample {i} is {Labels[i]}, outside [0, {NumClasses})");

        for (int i = 0; i < Features.Length; i++)
            if (!float.IsFinite(Features[i]))
                throw new InputException($"dataset '{Name}': sample {i / FeatureLength} has a non-finite feature ({Features[i]} at position {i % FeatureLength})");
    }

    /// <summary>The samples at the given indices, in that order (repeats allowed).</summary>
    public Dataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var features = new float[(long)indices.Count * FeatureLength];
        var labels = new long[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside [0, {Count})");
            Array.Copy(Features, (long)i * FeatureLength, features, (long)k * FeatureLength, FeatureLength);
            labels[k] = Labels[i];
        }
        // The source was validated; a subset of it is valid by construction.
        if (Targets is null) return new Dataset(Name, features, SampleShape, labels, NumClasses, validate: false);
        int t = TargetLength;
        var targets = new float[(long)indices.Count * t];
        for (int k = 0; k < indices.Count; k++) Array.Copy(Targets, (long)indices[k] * t, targets, (long)k * t, t);
        return new Dataset(Name, features, SampleShape, labels, NumClasses, validate: false) { Targets = targets, TargetShape = TargetShape };
    }

    /// <summary>
    /// Identifies the data in manifest.json: SHA-256 (lowercase hex) over the sample shape
    /// (rank then dims, int32), the sample count (int64), the labels (int64) and the features
    /// (float32), all little-endian, then, for image-to-image data only, the target shape (rank, dims)
    /// and the targets (float32). The name and class count are not data and are left out.
    /// </summary>
    public string ComputeSha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(word, SampleShape.Length);
        hash.AppendData(word[..4]);
        foreach (int d in SampleShape)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, d);
            hash.AppendData(word[..4]);
        }
        BinaryPrimitives.WriteInt64LittleEndian(word, Count);
        hash.AppendData(word);

        long[] labels = Labels;
        float[] features = Features;
        if (!BitConverter.IsLittleEndian)
        {
            labels = (long[])labels.Clone();
            features = (float[])features.Clone();
            BulkBinary.SwapBytes(labels);
            BulkBinary.SwapBytes(features);
        }
        BulkBinary.Hash(hash, labels);
        BulkBinary.Hash(hash, features);
        if (Targets is not null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, TargetShape!.Length);
            hash.AppendData(word[..4]);
            foreach (int d in TargetShape)
            {
                BinaryPrimitives.WriteInt32LittleEndian(word, d);
                hash.AppendData(word[..4]);
            }
            float[] targets = Targets;
            if (!BitConverter.IsLittleEndian)
            {
                targets = (float[])targets.Clone();
                BulkBinary.SwapBytes(targets);
            }
            BulkBinary.Hash(hash, targets);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static int Product(int[] shape) => shape.Aggregate(1, (a, d) => a * d);

    private static string Shape(int[] shape) => NpyArray.FormatShape(shape);
}
