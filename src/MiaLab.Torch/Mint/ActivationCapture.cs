using System.Text.Json;
using System.Text.Json.Serialization;
using MiaLab.Core;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using MiaLab.Core.Signals;
using MiaLab.Core.Pipeline;

namespace MiaLab.Torch.Mint;

/// <summary>How a conv map [C, H, W] becomes one value per channel: global max (the paper's
/// choice) or global mean over H×W. Vector capture points are used as they are.</summary>
public enum MintReduction { Max, Mean }

/// <summary>One capture point's columns in the concatenated activation row.</summary>
public sealed record CaptureSegment(string Point, int Channels, int Offset);

/// <summary>Where each capture point sits in an activation row of width <see cref="Width"/>.</summary>
public sealed record ActivationLayout(IReadOnlyList<CaptureSegment> Segments, MintReduction Reduction)
{
    public int Width => Segments.Count == 0 ? 0 : Segments[^1].Offset + Segments[^1].Channels;
    public IReadOnlyList<string> Points => Segments.Select(s => s.Point).ToList();
}

/// <summary>Reduced activations of N samples: row i (float32, <see cref="ActivationLayout.Width"/>
/// values) belongs to sample i of the data that was captured. <paramref name="Outputs"/>: the model's
/// outputs [N, *OutputShape] from the same forward passes (the baselines beside MINT read them).</summary>
public sealed record Activations(float[] Values, int Count, ActivationLayout Layout, float[]? Outputs = null);

/// <summary>One capture point's full conv maps, [N, C, H, W] flattened, and the model's outputs from the same passes.</summary>
public sealed record ActivationMaps(float[] Values, int Count, string Point, int Channels, int Height, int Width, float[]? Outputs = null)
{
    public int[] SampleShape => [Channels, Height, Width];
}

/// <summary>
/// The auditable data of MINT (ALGORITHMS.md §8): runs samples through ONE audited model (any
/// <see cref="IModel"/>) and records chosen capture points. Conv maps are reduced per channel
/// (global max or mean over H×W); vector points are kept; the points are concatenated in the
/// order asked for. Besides the model's own points there is one derived from its outputs,
/// <see cref="Confidence"/>.
/// </summary>
public static class ActivationCapture
{
    public const int DefaultBatchSize = 500;

    /// <summary>The model's softmax outputs, logit-scaled (log p − log(1 − p)) and sorted from largest to
    /// smallest: label-free and the same for every class, so a detector can read "how sure is the model"
    /// (its first value is a monotone function of the max-softmax baseline's score) without learning it
    /// once per class (<see cref="SortedLogitScaled"/>).</summary>
    public const string Confidence = "confidence";

    /// <summary>Every capture point of the model (the paper's "all").</summary>
    public const string All = "all";

    /// <summary>The capture points a user asked for: null or empty = <see cref="Confidence"/> for a
    /// classifier (on every model we audited the hidden points added nothing a detector could learn and
    /// cost it accuracy; docs/results.md, MINT), every point of the model otherwise; "all" stands for
    /// every point of the model and may be listed with "confidence"; otherwise each name must be one of
    /// the model's points or "confidence" (else an <see cref="InputException"/> listing them).
    /// Duplicates are refused.</summary>
    public static IReadOnlyList<string> ResolvePoints(IModel model, IReadOnlyList<string>? points)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool classifier = model.OutputShape.Count == 1 && model.OutputShape[0] >= 2;
        if (points is null || points.Count == 0)
            return classifier ? [Confidence] : model.CapturePoints.ToList();
        points = points.SelectMany(p => p == All ? model.CapturePoints : [p]).ToList();
        foreach (var p in points)
        {
            if (p == Confidence && !classifier)
                throw new InputException($"capture point '{Confidence}' needs a classifier's [C] outputs; this model gives [{string.Join(", ", model.OutputShape)}]");
            if (p != Confidence && !model.CapturePoints.Contains(p))
                throw new InputException($"unknown capture point '{p}'; this model has: {string.Join(", ", model.CapturePoints)}" +
                    (classifier ? $", {Confidence} (its sorted logit-scaled outputs)" : "") + " (or 'all')");
        }
        var duplicate = points.GroupBy(p => p).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InputException($"capture point '{duplicate.Key}' is listed twice");
        return points.ToList();
    }

    /// <summary>Reduced, concatenated activations [N, L] of every sample of <paramref name="data"/>.</summary>
    public static Activations Capture(IModel model, Dataset data, IReadOnlyList<string>? points,
        MintReduction reduction = MintReduction.Max, int batchSize = DefaultBatchSize, Action<int, int>? onProgress = null)
    {
        var chosen = ResolvePoints(model, points);
        float[]? values = null;
        var outputs = new float[(long)data.Count * OutputWidth(model)];
        ActivationLayout? layout = null;
        RunBatches(model, data, batchSize, chosen.Where(p => p != Confidence).ToList(), (start, b, run) =>
        {
            Array.Copy(run.Outputs, 0, outputs, (long)start * OutputWidth(model), run.Outputs.Length);
            var reduced = chosen.Select(p => p == Confidence ? SortedLogitScaled(run.Outputs, b) : Reduce(run.Activations[p], reduction)).ToList();
            if (layout is null)
            {
                var segments = new List<CaptureSegment>();
                int offset = 0;
                for (int j = 0; j < chosen.Count; j++)
                {
                    int channels = reduced[j].Length / b;
                    segments.Add(new CaptureSegment(chosen[j], channels, offset));
                    offset += channels;
                }
                layout = new ActivationLayout(segments, reduction);
                values = new float[(long)data.Count * offset];
            }
            for (int i = 0; i < b; i++)
                foreach (var (segment, j) in layout.Segments.Select((g, j) => (g, j)))
                    Array.Copy(reduced[j], (long)i * segment.Channels, values!, (long)(start + i) * layout.Width + segment.Offset, segment.Channels);
            onProgress?.Invoke(start + b, data.Count);
        });
        layout ??= new ActivationLayout(chosen.Select(p => new CaptureSegment(p, 0, 0)).ToList(), reduction);
        return new Activations(values ?? [], data.Count, layout, outputs);
    }

    /// <summary>The full map [N, C, H, W] of one conv capture point (the CNN MINT detector's input).</summary>
    public static ActivationMaps CaptureMap(IModel model, Dataset data, string point, int batchSize = DefaultBatchSize,
        Action<int, int>? onProgress = null)
    {
        ResolvePoints(model, [point]);
        if (point == Confidence) throw new InputException($"'{Confidence}' is a vector, not a conv map; the CNN detector needs one of: {string.Join(", ", ConvPoints(model, data))}");
        float[]? values = null;
        var outputs = new float[(long)data.Count * OutputWidth(model)];
        int c = 0, h = 0, w = 0;
        RunBatches(model, data, batchSize, [point], (start, b, run) =>
        {
            Array.Copy(run.Outputs, 0, outputs, (long)start * OutputWidth(model), run.Outputs.Length);
            var map = run.Activations[point];
            if (map.Shape.Length != 4)
                throw new InputException($"capture point '{point}' is a vector of {map.Shape[^1]} features, not a conv map; the CNN detector needs one of: {string.Join(", ", ConvPoints(model, data))}");
            if (values is null)
            {
                (c, h, w) = (map.Shape[1], map.Shape[2], map.Shape[3]);
                values = new float[(long)data.Count * c * h * w];
            }
            Array.Copy(map.Values, 0, values, (long)start * c * h * w, map.Values.Length);
            onProgress?.Invoke(start + b, data.Count);
        });
        return new ActivationMaps(values ?? [], data.Count, point, c, h, w, outputs);
    }

    /// <summary>The model's capture points that record conv maps, found by one forward pass.</summary>
    public static IReadOnlyList<string> ConvPoints(IModel model, Dataset data)
    {
        var result = new List<string>();
        RunBatches(model, data.Subset([0]), 1, model.CapturePoints, (_, _, run) =>
            result.AddRange(model.CapturePoints.Where(p => run.Activations[p].Shape.Length == 4)));
        return result;
    }

    /// <summary>Per-channel reduction of one batch: [B, C, H, W] → [B, C] by global max or mean
    /// over H×W; [B, F] stays as it is. Returns the values of [B, C] (or [B, F]) in C order.</summary>
    public static float[] Reduce(ActivationBatch activation, MintReduction reduction)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var shape = activation.Shape;
        if (shape.Length == 2) return activation.Values;
        if (shape.Length != 4) throw new ArgumentException($"expected [B, F] or [B, C, H, W], got [{string.Join(", ", shape)}]");
        int maps = shape[0] * shape[1], area = shape[2] * shape[3];
        var result = new float[maps];
        for (int k = 0; k < maps; k++)
        {
            var map = activation.Values.AsSpan(k * area, area);
            if (reduction == MintReduction.Max)
            {
                float best = float.NegativeInfinity;
                foreach (float v in map) if (v > best) best = v;
                result[k] = best;
            }
            else
            {
                double sum = 0;
                foreach (float v in map) sum += v;
                result[k] = (float)(sum / area);
            }
        }
        return result;
    }

    /// <summary>Writes activations/model-XXXX.npy (float32 [N, L]) and, beside it, the .json
    /// layout: { "points": [{ "point", "channels", "offset" }], "reduction", "samples", "width" }.</summary>
    public static void Write(string npyPath, Activations activations, IDictionary<string, object?>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(activations);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(npyPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        Npy.Write(npyPath, new NpyArray(activations.Values, activations.Count, activations.Layout.Width));
        var doc = new Dictionary<string, object?>
        {
            ["points"] = activations.Layout.Segments.Select(s => new { point = s.Point, channels = s.Channels, offset = s.Offset }).ToList(),
            ["reduction"] = ReductionName(activations.Layout.Reduction),
            ["samples"] = activations.Count,
            ["width"] = activations.Layout.Width,
        };
        if (extra is not null) foreach (var (k, v) in extra) doc[k] = v;
        AtomicFile.WriteAllText(Path.ChangeExtension(npyPath, ".json"), JsonSerializer.Serialize(doc, JsonOut) + "\n");
    }

    /// <summary>Per row of <paramref name="logits"/> ([B, C]): each class's logit-scaled probability
    /// φ_k = log p_k − log(1 − p_k) = z_k − log Σ_{j≠k} exp z_j, sorted from largest to smallest. Unlike
    /// log p_k, φ_1 does not pile up at 0 when a model is sure (log p_1 of −1e-8 and −1e-4 are 18.4 and
    /// 9.2 here), and a detector can read it on the scale it standardises to (Carlini et al.'s scaling).</summary>
    public static float[] SortedLogitScaled(float[] logits, int count)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (count < 1 || logits.Length % count != 0) throw new ArgumentException($"{logits.Length} outputs are not {count} rows");
        int classes = logits.Length / count;
        if (classes < 2) throw new ArgumentException("the confidence view needs at least two classes");
        var result = new float[logits.Length];
        var row = new double[classes];
        for (int i = 0; i < count; i++)
        {
            var l = logits.AsSpan(i * classes, classes);
            // φ_k is the stable logit of class k, the signal LiRA uses.
            for (int k = 0; k < classes; k++) row[k] = Signal.FromLogits(SignalKind.StableLogit, l, k);
            Array.Sort(row);
            for (int j = 0; j < classes; j++) result[i * classes + j] = (float)row[classes - 1 - j];
        }
        return result;
    }

    private static int OutputWidth(IModel model) => model.OutputShape.Aggregate(1, (a, d) => a * d);

    public static string ReductionName(MintReduction r) => r == MintReduction.Max ? "max" : "mean";

    public static MintReduction ParseReduction(string? text) => text switch
    {
        null or "" or "max" => MintReduction.Max,
        "mean" => MintReduction.Mean,
        _ => throw new InputException($"reduction '{text}' is not one of max, mean"),
    };

    internal static readonly JsonSerializerOptions JsonOut = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    // ───────────────────────── helpers ─────────────────────────

    private static void RunBatches(IModel model, Dataset data, int batchSize, IReadOnlyList<string> points,
        Action<int, int, ModelRun> onBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ModelQuery.CheckInput(model, data);
        int f = data.FeatureLength;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int b = Math.Min(batchSize, data.Count - start);
            onBatch(start, b, model.Run(data.Features.AsSpan(start * f, b * f), b, points));
        }
    }
}
