using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Mint;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using MiaLab.Experiments.Studies;
using MiaLab.Reports.Pages;
using MiaLab.Torch.Mint;

namespace MiaLab.Experiments;

/// <summary>One detector configuration the probe tries. <paramref name="Points"/> null = the default
/// input (the confidence view of a classifier); <paramref name="Subsample"/> = share of MINT-train.</summary>
public sealed record MintProbeVariant(string Group, string Name, string Detector, IReadOnlyList<string>? Points, MintReduction Reduction,
    MintTrainingOptions Training, double Subsample = 1.0)
{
    public string Key => JsonSerializer.Serialize(new { Detector, Points, Reduction, Training, Subsample });
}

/// <summary>What one variant measured on MINT-eval (and, to see overfitting, on MINT-train).</summary>
public sealed record MintProbeRow(string Group, string Name, string Points, int UsedTrain, int UnusedTrain, double TrainBalancedAccuracy,
    double BalancedAccuracy, double BalancedAccuracyLow, double BalancedAccuracyHigh, double Auc, double AucLow, double AucHigh,
    double TprAt1PctFpr, double FinalLoss, double FinalPenalty, double Seconds, string Key, double BalancedAccuracyAtTrainThreshold = double.NaN);

/// <summary>
/// Why does MINT find what it finds? Trains many MINT detectors on one audited model of a run —
/// L1 penalty on weights or activity and its scale, standardisation, capacity, balanced batches,
/// each capture point alone, max vs mean pooling, the amount of MINT-train data, the CNN detector
/// per conv point — all on the same split, beside the max-confidence baseline and the loss attack
/// (thresholds from MINT-train). Writes &lt;run&gt;/mint/probe-XXXX.md, .csv and .json; each variant's
/// row is kept in the .json, so a rerun (or a resume after a crash) trains only the missing ones.
/// </summary>
public static class MintProbe
{
    public const string Name = "probe";
    private const int Resamples = 200;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The variants: the paper's detector, then one change at a time from a penalty-free
    /// detector, the default (stronger) detector's learning curve and, for conv models, the CNN
    /// detector on each conv point.</summary>
    public static IReadOnlyList<MintProbeVariant> Variants(IModel model, IReadOnlyList<string> convPoints, bool cnn, int seed)
    {
        // The paper's detector as the weight reading of its L1 (the detector's default is the activity reading).
        var paper = new MintTrainingOptions { Seed = seed, Penalty = MintPenalties.Weight, L1 = 0.1 };
        var free = paper with { L1 = 0 };
        var best = new MintTrainingOptions { Seed = seed };
        IReadOnlyList<string> all = [ActivationCapture.All];
        IReadOnlyList<string> allAndConfidence = [ActivationCapture.All, ActivationCapture.Confidence];
        var v = new List<MintProbeVariant>
        {
            new("paper", "paper: L1 0.1 on weights, all points", "vanilla", all, MintReduction.Max, paper),
            new("regularisation", "L1 1e-3 on weights", "vanilla", all, MintReduction.Max, paper with { L1 = 1e-3 }),
            new("regularisation", "L1 0.1 on activity", "vanilla", all, MintReduction.Max, paper with { Penalty = MintPenalties.Activity }),
            new("regularisation", "no L1", "vanilla", all, MintReduction.Max, free),
            new("standardisation", "no L1, raw inputs", "vanilla", all, MintReduction.Max, free with { Standardise = false }),
            new("capacity", "no L1, hidden 16", "vanilla", all, MintReduction.Max, free with { Hidden = 16 }),
            new("capacity", "no L1, hidden 512", "vanilla", all, MintReduction.Max, free with { Hidden = 512 }),
            new("epochs", "no L1, 5 epochs", "vanilla", all, MintReduction.Max, free with { Epochs = 5 }),
            new("balance", "no L1, unbalanced batches", "vanilla", all, MintReduction.Max, free with { Balanced = false }),
        };
        if (convPoints.Count > 0) v.Add(new("pooling", "no L1, mean pooling", "vanilla", all, MintReduction.Mean, free));
        foreach (var p in model.CapturePoints)
            v.Add(new("points", $"no L1, {p} only", "vanilla", [p], MintReduction.Max, free));
        v.Add(new("points", $"no L1, {ActivationCapture.Confidence} only", "vanilla", [ActivationCapture.Confidence], MintReduction.Max, free));
        v.Add(new("points", "no L1, all points + confidence", "vanilla", allAndConfidence, MintReduction.Max, free));
        v.Add(new("points", "all points + confidence, L1 0.1 on activity (the default before)", "vanilla", allAndConfidence, MintReduction.Max,
            best with { L1 = 0.1, Penalty = MintPenalties.Activity }));
        v.Add(new("default", "default: confidence view, no L1", "vanilla", null, MintReduction.Max, best));
        foreach (double f in new[] { 0.125, 0.25, 0.5 })
            v.Add(new("data", $"default, {f.ToString("0.###", Inv)} of MINT-train", "vanilla", null, MintReduction.Max, best, f));
        if (cnn)
            foreach (var p in convPoints)
                v.Add(new("cnn", $"cnn on {p}", "cnn", [p], MintReduction.Max, new MintTrainingOptions { Seed = seed }));
        return v;
    }

    /// <summary>The variant groups, in the order they run.</summary>
    public static readonly IReadOnlyList<string> Groups = ["paper", "regularisation", "standardisation", "capacity", "epochs", "balance", "pooling", "points", "default", "data", "cnn"];

    /// <summary>Runs every variant on model <paramref name="target"/> of the run; writes and returns the rows and the baselines.</summary>
    /// <param name="load">As in <see cref="MintStage.Train"/>: opens a model MiaLab did not train (an external ONNX target), or null for MiaLab's own.</param>

    public static (IReadOnlyList<MintProbeRow> Rows, IReadOnlyList<MintBaseline> Baselines, string MarkdownPath) Run(RunDirectory run, int target,
        bool cnn, Action<StageProgress>? progress = null, CancellationToken cancel = default, IReadOnlyList<string>? groups = null,
        RunData? data = null, Func<int, IModel?>? load = null)
    {
        foreach (var g in groups ?? [])
            if (!Groups.Contains(g)) throw new InputException($"probe group '{g}' is not one of {string.Join(", ", Groups)}");
        ArgumentNullException.ThrowIfNull(run);
        var config = run.Config ?? throw new InputException($"{run.Root}: has no manifest.json with a config");
        data ??= PlanStage.LoadData(config);
        using var model = load?.Invoke(target) ?? MintStage.LoadAudited(run, target, config, data.Samples);
        var (used, unused, _) = MintProtocol.DefaultSets(run.ReadKeep()[target], run.ReadHoldout());
        int seed = Seeds.Derive(config.Seed, "mint", target);
        int[] rows = used.Concat(unused).Order().ToArray();
        var samples = data.Samples.Subset(rows);
        var position = rows.Select((r, k) => (r, k)).ToDictionary(t => t.r, t => t.k);
        int[] localUsed = used.Select(i => position[i]).ToArray(), localUnused = unused.Select(i => position[i]).ToArray();
        var labels = rows.Select(i => data.Samples.Labels[i]).ToArray();

        string directory = Path.Combine(run.Root, MintStage.Directory);
        Directory.CreateDirectory(directory);
        string stem = Path.Combine(directory, $"{Name}-{target:D4}");
        var cached = ReadCache(stem + ".json");
        var convPoints = ActivationCapture.ConvPoints(model, samples);
        var defined = Variants(model, convPoints, cnn, Seeds.Derive(config.Seed, "mint-detector", target));
        // A kept row whose variant is now defined differently (same name, another key) is stale.
        foreach (var stale in cached.Where(c => defined.Any(v => v.Group == c.Value.Group && v.Name == c.Value.Name && v.Key != c.Key)).ToList())
            cached.Remove(stale.Key);
        var variants = defined
            .Where(v => groups is null || groups.Count == 0 || groups.Contains(v.Group)).ToList();

        // Captured once per reduction: every point and the confidence view; variants take their columns.
        var captures = new Dictionary<MintReduction, Activations>();
        Activations CaptureFor(MintReduction r)
        {
            if (!captures.TryGetValue(r, out var a))
                captures[r] = a = ActivationCapture.Capture(model, samples, [ActivationCapture.All, ActivationCapture.Confidence], r, onProgress: (d, t) => progress?.Invoke(new StageProgress($"activations ({ActivationCapture.ReductionName(r)})", d, t)));
            return a;
        }
        var first = CaptureFor(MintReduction.Max);
        var split = MintProtocol.Split(localUsed, localUnused, seed);
        int[] trainRows = [.. split.UsedTrain, .. split.UnusedTrain];
        int[] evalRows = [.. split.UsedEval, .. split.UnusedEval];
        bool[] Flags(int a, int b) => [.. Enumerable.Repeat(true, a), .. Enumerable.Repeat(false, b)];
        var baselines = MintBaselines.Compute(first.Outputs!, first.Outputs!.Length / samples.Count, labels, trainRows,
            Flags(split.UsedTrain.Length, split.UnusedTrain.Length), evalRows, Flags(split.UsedEval.Length, split.UnusedEval.Length),
            new EvaluationOptions(BootstrapResamples: Resamples, Seed: seed, PerClass: false));

        var result = new List<MintProbeRow>();
        for (int j = 0; j < variants.Count; j++)
        {
            cancel.ThrowIfCancellationRequested();
            var variant = variants[j];
            progress?.Invoke(new StageProgress("MINT probe", j, variants.Count));
            if (cached.TryGetValue(variant.Key, out var hit)) { result.Add(hit with { Group = variant.Group, Name = variant.Name }); continue; }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // Per-class slices are not needed here (labels stay out), and 200 resamples give the AUC's interval to about ±0.005.
            var options = new MintOptions(variant.Detector, variant.Points, variant.Reduction, variant.Training, seed, Resamples, TrainSubsample: variant.Subsample);
            MintResult r;
            if (variant.Detector == MintDetectorKinds.Cnn)
            {
                var (inputs, shape, points, outputs) = MintProtocol.Inputs(model, samples, variant.Detector, variant.Points, variant.Reduction,
                    (task, d, t) => progress?.Invoke(new StageProgress(task, d, t)));
                var (detector, res) = MintProtocol.RunOnInputs(inputs, shape, points, null, localUsed, localUnused, options, cancel: cancel);
                detector.Dispose();
                r = res;
            }
            else
            {
                var source = CaptureFor(variant.Reduction);
                var chosen = ActivationCapture.ResolvePoints(model, variant.Points);
                var (inputs, width) = Columns(source, chosen);
                var (detector, res) = MintProtocol.RunOnInputs(inputs, [width], chosen, null, localUsed, localUnused, options, cancel: cancel);
                detector.Dispose();
                r = res;
            }
            var m = r.Metrics;
            var row = new MintProbeRow(variant.Group, variant.Name, string.Join(", ", r.Points), r.Split.UsedTrain.Length, r.Split.UnusedTrain.Length,
                r.TrainBalancedAccuracy, r.BalancedAccuracy, r.BalancedAccuracyCi95.Low, r.BalancedAccuracyCi95.High, m.Auc,
                m.AucCi?.Low ?? double.NaN, m.AucCi?.High ?? double.NaN, AttackRanking.Find(m, 0.01)?.Tpr ?? double.NaN,
                r.Log.EpochLoss.Length > 0 ? r.Log.EpochLoss[^1] : double.NaN, r.Log.EpochPenalty.Length > 0 ? r.Log.EpochPenalty[^1] : double.NaN,
                clock.Elapsed.TotalSeconds, variant.Key, r.AtTrainThreshold.BalancedAccuracy);
            result.Add(row);
            Write(stem, WithOthers(result, cached), baselines, run, target); // after each variant: a crash loses at most one
        }
        progress?.Invoke(new StageProgress("MINT probe", variants.Count, variants.Count));
        Write(stem, WithOthers(result, cached), baselines, run, target);
        return (result, baselines, stem + ".md");
    }

    /// <summary>This run's rows, then the rows measured before for variants this run did not ask for
    /// (another --groups choice), so the files keep every measured variant.</summary>
    private static List<MintProbeRow> WithOthers(IReadOnlyList<MintProbeRow> rows, Dictionary<string, MintProbeRow> cached)
    {
        var keys = rows.Select(r => r.Key).ToHashSet();
        return [.. rows, .. cached.Values.Where(c => !keys.Contains(c.Key))];
    }

    /// <summary>The columns of the chosen points, in the order given.</summary>
    private static (float[] Values, int Width) Columns(Activations source, IReadOnlyList<string> points)
    {
        var segments = points.Select(p => source.Layout.Segments.FirstOrDefault(s => s.Point == p)
            ?? throw new InputException($"capture point '{p}' was not captured")).ToList();
        int width = segments.Sum(s => s.Channels), n = source.Count, full = source.Layout.Width;
        var values = new float[(long)n * width];
        for (int i = 0; i < n; i++)
        {
            int at = 0;
            foreach (var s in segments)
            {
                Array.Copy(source.Values, (long)i * full + s.Offset, values, (long)i * width + at, s.Channels);
                at += s.Channels;
            }
        }
        return (values, width);
    }

    public static PageTable Table(IReadOnlyList<MintProbeRow> rows, IReadOnlyList<MintBaseline> baselines)
    {
        List<TableColumn> columns =
        [
            new("Group"), new("Variant"), new("MINT-train", "used / unused") { Numeric = true }, new("Bal. acc. train", "at 0.5") { Numeric = true },
            new("Bal. acc. eval", "at 0.5") { Numeric = true, Strong = true }, new("95% CI"), new("Bal. acc. eval", "at τ from MINT-train") { Numeric = true }, new("AUC") { Numeric = true }, new("AUC 95% CI"),
            new("TPR at 1% FPR") { Numeric = true }, new("Final BCE") { Numeric = true }, new("Final penalty") { Numeric = true }, new("s") { Numeric = true },
        ];
        var cells = rows.Select(r => new TableRow(
        [
            r.Group, r.Name, $"{r.UsedTrain} / {r.UnusedTrain}", N(r.TrainBalancedAccuracy), N(r.BalancedAccuracy),
            Ci(r.BalancedAccuracyLow, r.BalancedAccuracyHigh), N(r.BalancedAccuracyAtTrainThreshold), N(r.Auc), Ci(r.AucLow, r.AucHigh), Pct(r.TprAt1PctFpr),
            N(r.FinalLoss), N(r.FinalPenalty), r.Seconds.ToString("0", Inv),
        ], r.Name)).ToList();
        foreach (var b in baselines)
            cells.Add(new TableRow(
            [
                "baseline", b.Name + " (threshold from MINT-train)", "", N(b.TrainBalancedAccuracy), N(b.Eval.BalancedAccuracy),
                Ci(b.Eval.Ci95.Low, b.Eval.Ci95.High), N(b.Eval.BalancedAccuracy), N(b.Metrics.Auc), Ci(b.Metrics.AucCi?.Low ?? double.NaN, b.Metrics.AucCi?.High ?? double.NaN),
                Pct(AttackRanking.Find(b.Metrics, 0.01)?.Tpr ?? double.NaN), "", "", "",
            ], b.Name));
        return new PageTable(columns, cells)
        {
            Id = "mint-probe",
            Notes = ["Every row is one MINT detector trained on the same MINT-train split and evaluated on the same MINT-eval split. " +
                "Balanced accuracy is at the detector's 0.5 (baselines: at the threshold chosen on MINT-train), with a normal-approximation " +
                "95% interval; AUC intervals are a stratified bootstrap (200 resamples). Final BCE and penalty: the last epoch's means."],
        };
    }

    private static void Write(string stem, IReadOnlyList<MintProbeRow> rows, IReadOnlyList<MintBaseline> baselines, RunDirectory run, int target)
    {
        var table = Table(rows, baselines);
        string description = $"MINT detectors on model {target} of {run.Root}.";
        AtomicFile.WriteAllText(stem + ".md", StudyTables.Markdown(table, "MINT probe", description));
        AtomicFile.WriteAllText(stem + ".csv", StudyTables.Csv(table));
        var json = new JsonObject
        {
            ["kind"] = "mint-probe",
            ["run"] = run.Root,
            ["model"] = target,
            ["rows"] = JsonSerializer.SerializeToNode(rows, JsonOptions),
        };
        AtomicFile.WriteAllText(stem + ".json", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static Dictionary<string, MintProbeRow> ReadCache(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            var rows = JsonNode.Parse(File.ReadAllText(path))?["rows"]?.Deserialize<List<MintProbeRow>>(JsonOptions) ?? [];
            return rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last());
        }
        catch (JsonException)
        {
            return []; // a damaged cache is measured again
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string N(double v) => StudyTables.Number(v);
    private static string Pct(double v) => double.IsFinite(v) ? (100 * v).ToString("0.0", Inv) + "%" : StudyTables.Missing;
    private static string Ci(double lo, double hi) => double.IsFinite(lo) && double.IsFinite(hi) ? $"[{N(lo)}, {N(hi)}]" : StudyTables.Missing;
}
