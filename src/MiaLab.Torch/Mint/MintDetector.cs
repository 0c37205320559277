using MiaLab.Core.Randomness;
using System.Text.Json;
using MiaLab.Core;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Mint;

/// <summary>The two MINT detectors of DeAlcala et al. (ALGORITHMS.md §8).</summary>
public static class MintDetectorKinds
{
    /// <summary>Dense network on reduced, concatenated activations [L].</summary>
    public const string Vanilla = "vanilla";
    /// <summary>Convolutional network on one conv point's full map [C, H, W].</summary>
    public const string Cnn = "cnn";
    public static readonly IReadOnlyList<string> All = [Vanilla, Cnn];

    public static string Check(string? kind) => kind switch
    {
        null or "" => Vanilla,
        Vanilla or Cnn => kind,
        _ => throw new InputException($"detector '{kind}' is not one of {string.Join(", ", All)}"),
    };
}

/// <summary>What the detector's L1 penalty λ applies to. The paper says "L1 0.1" on the first dense
/// layer without saying which; the two Keras readings are both here.</summary>
public static class MintPenalties
{
    /// <summary>λ·Σ|w| over the first dense layer's weights (Keras <c>kernel_regularizer=l1(λ)</c>).</summary>
    public const string Weight = "weight";
    /// <summary>λ·(1/B)·Σ_b Σ_j |h_bj| over the first dense layer's ReLU outputs (Keras <c>activity_regularizer=l1(λ)</c>).</summary>
    public const string Activity = "activity";
    public static readonly IReadOnlyList<string> All = [Weight, Activity];

    public static string Check(string? kind) => kind switch
    {
        null or "" => Weight,
        Weight or Activity => kind,
        _ => throw new InputException($"L1 penalty '{kind}' is not one of {string.Join(", ", All)}"),
    };
}

/// <summary>Hyperparameters of a MINT detector: the paper's, except that the L1 penalty is off by default
/// (on three audited models no L1 scored at least as well as the paper's λ = 0.1; docs/results.md, MINT).</summary>
public sealed record MintTrainingOptions
{
    /// <summary>Width of the dense hidden layer (vanilla: 128; CNN: C = 128).</summary>
    public int Hidden { get; init; } = 128;
    /// <summary>CNN only: conv filters (k = 5).</summary>
    public int Filters { get; init; } = 64;
    /// <summary>Vanilla only: λ of the L1 penalty added to the mean BCE (see <see cref="Penalty"/>); the paper's is 0.1.</summary>
    public double L1 { get; init; }
    /// <summary>Vanilla only: what λ applies to, <see cref="MintPenalties.Weight"/> or <see cref="MintPenalties.Activity"/>.
    /// Default: activity. On the weights, the paper's 0.1 kept the detector from fitting even its own
    /// training split on the built-in audit's target (docs/results.md, MINT). No effect while L1 is 0.</summary>
    public string Penalty { get; init; } = MintPenalties.Activity;
    /// <summary>Standardise each input feature (vanilla) or channel (CNN) with MINT-train's mean and deviation.</summary>
    public bool Standardise { get; init; } = true;
    public double Dropout { get; init; } = 0.5;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Null = the paper's: 20 (vanilla), 30 (CNN).</summary>
    public int? Epochs { get; init; }
    /// <summary>Each batch holds BatchSize / 2 used and BatchSize / 2 unused samples (unless <see cref="Balanced"/> is off).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Balanced batches (the paper's); off = plain shuffled batches of MINT-train, as many
    /// used and unused samples as it happens to hold.</summary>
    public bool Balanced { get; init; } = true;
    /// <summary>Seeds the weights, the batch order and the dropout masks.</summary>
    public int Seed { get; init; }

    public int EpochsFor(string kind) => Epochs ?? (kind == MintDetectorKinds.Cnn ? 30 : 20);
}

/// <summary>The audited model a detector belongs to: enough to rebuild it and compute its
/// activations on new data (<c>mint test</c>).</summary>
/// <param name="Config">The run's config (JSON, as in manifest.json); its model section rebuilds the architecture.</param>
public sealed record MintAuditedModel(string RunDirectory, int Model, JsonElement Config, int[] SampleShape, int Classes,
    string WeightsPath, string WeightsSha256);

/// <summary>The JSON beside a detector's weights (<c>&lt;name&gt;.json</c>).</summary>
/// <param name="InputShape">[L] for vanilla, [C, H, W] for CNN.</param>
/// <param name="Mean">Standardisation from MINT-train: per feature (vanilla) or per channel (CNN).</param>
public sealed record MintDetectorInfo(
    string Kind,
    IReadOnlyList<string> Points,
    string Reduction,
    int[] InputShape,
    float[] Mean,
    float[] Std,
    MintTrainingOptions Options,
    MintAuditedModel? Audited,
    int SchemaVersion = 1);

/// <summary>Per-epoch mean BCE (without the penalty) and mean penalty of a detector's training.</summary>
public sealed record MintTrainingLog(double[] EpochLoss, double[] EpochPenalty, int StepsPerEpoch);

/// <summary>
/// A trained (or trainable) MINT detector: a small network plus the input standardisation it
/// was trained with. Probabilities are of "the sample was used to train the audited model".
/// </summary>
public sealed class MintDetector : IDisposable
{
    private readonly MintNetwork network;

    private MintDetector(MintDetectorInfo info, MintNetwork network)
    {
        Info = info;
        this.network = network;
    }

    public MintDetectorInfo Info { get; private set; }
    public string Kind => Info.Kind;
    public int InputLength => Info.InputShape.Aggregate(1, (a, d) => a * d);

    /// <summary>An untrained detector for inputs of the given shape ([L] or [C, H, W]).</summary>
    public static MintDetector Create(string kind, int[] inputShape, MintTrainingOptions options,
        IReadOnlyList<string> points, MintReduction reduction, MintAuditedModel? audited = null)
    {
        kind = MintDetectorKinds.Check(kind);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Hidden < 1 || options.Filters < 1) throw new InputException("detector widths must be at least 1");
        if (options.BatchSize < 2 || options.BatchSize % 2 != 0) throw new InputException($"detector batch size must be even and ≥ 2 (got {options.BatchSize})");
        if (options.L1 < 0 || !double.IsFinite(options.L1)) throw new InputException($"L1 penalty must be ≥ 0 (got {options.L1})");
        MintPenalties.Check(options.Penalty);
        if (options.Dropout is < 0 or >= 1) throw new InputException($"dropout must be in [0, 1) (got {options.Dropout})");
        if (options.EpochsFor(kind) < 1) throw new InputException($"detector epochs must be at least 1 (got {options.EpochsFor(kind)})");
        int channels;
        if (kind == MintDetectorKinds.Vanilla)
        {
            if (inputShape.Length != 1 || inputShape[0] < 1) throw new ArgumentException("the vanilla detector takes [L] inputs");
            channels = inputShape[0];
        }
        else
        {
            if (inputShape.Length != 3) throw new ArgumentException("the CNN detector takes [C, H, W] inputs");
            if (inputShape[1] < 2 || inputShape[2] < 2)
                throw new InputException($"capture point '{points.FirstOrDefault()}' has {inputShape[1]}×{inputShape[2]} maps; the CNN detector pools 2×2 and needs at least 2×2");
            channels = inputShape[0];
        }
        var info = new MintDetectorInfo(kind, points.ToList(), ActivationCapture.ReductionName(reduction), (int[])inputShape.Clone(),
            Enumerable.Repeat(0f, channels).ToArray(), Enumerable.Repeat(1f, channels).ToArray(), options, audited);
        return new MintDetector(info, Build(info));
    }

    private static MintNetwork Build(MintDetectorInfo info) => info.Kind == MintDetectorKinds.Vanilla
        ? new VanillaMintNetwork(info.InputShape[0], info.Options.Hidden, info.Options.Dropout, info.Options.Seed)
        : new CnnMintNetwork(info.InputShape, info.Options.Filters, info.Options.Hidden, info.Options.Dropout, info.Options.Seed);

    /// <summary>
    /// Trains on n samples (<paramref name="inputs"/> holds n rows of <see cref="InputLength"/> values;
    /// <paramref name="used"/>[i] = row i was in the audited model's training set). First fixes the
    /// standardisation from these rows (unless <see cref="MintTrainingOptions.Standardise"/> is off). Every batch holds as many used as unused samples; an epoch
    /// ends when the larger class has been seen once (the smaller one cycles, reshuffled). Loss: mean
    /// binary cross-entropy plus the L1 penalty (vanilla). Adam.
    /// </summary>
    public MintTrainingLog Train(float[] inputs, bool[] used, Action<int, int>? onEpoch = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(used);
        int n = used.Length, f = InputLength;
        if ((long)n * f != inputs.Length) throw new ArgumentException($"inputs hold {inputs.Length} values, not {n} rows of {f}");
        var usedRows = Enumerable.Range(0, n).Where(i => used[i]).ToArray();
        var unusedRows = Enumerable.Range(0, n).Where(i => !used[i]).ToArray();
        if (usedRows.Length == 0 || unusedRows.Length == 0)
            throw new InputException($"MINT-train needs used and unused samples (has {usedRows.Length} used, {unusedRows.Length} unused)");

        var options = Info.Options;
        if (options.Standardise)
        {
            var (mean, std) = Standardisation(inputs, n);
            Info = Info with { Mean = mean, Std = std };
        }
        int epochs = options.EpochsFor(Kind), half = options.BatchSize / 2;
        int steps = options.Balanced
            ? (Math.Max(usedRows.Length, unusedRows.Length) + half - 1) / half
            : (n + options.BatchSize - 1) / options.BatchSize;
        var random = new StableRandom(Seeds.Derive64(options.Seed, "mint-batches", 0));
        var usedCycle = new Cycle(usedRows, random);
        var unusedCycle = new Cycle(unusedRows, random);
        var anyCycle = new Cycle(Enumerable.Range(0, n).ToArray(), random);
        var epochLoss = new double[epochs];
        var epochPenalty = new double[epochs];

        using var x = Standardised(inputs, n);
        using var y = torch.tensor(used.Select(u => u ? 1f : 0f).ToArray());
        using var optimizer = torch.optim.Adam(network.parameters(), options.LearningRate);
        var index = new long[2 * half];
        network.train();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double lossSum = 0, penaltySum = 0;
            for (int s = 0; s < steps; s++)
            {
                cancel.ThrowIfCancellationRequested();
                for (int j = 0; j < half; j++)
                {
                    index[j] = options.Balanced ? usedCycle.Next() : anyCycle.Next();
                    index[half + j] = options.Balanced ? unusedCycle.Next() : anyCycle.Next();
                }
                using var scope = torch.NewDisposeScope();
                var rows = torch.tensor(index);
                optimizer.zero_grad();
                var logits = network.forward(x.index_select(0, rows));
                var bce = nn.functional.binary_cross_entropy_with_logits(logits, y.index_select(0, rows));
                var loss = bce;
                Tensor? penalty = null;
                if (options.L1 > 0)
                {
                    penalty = options.Penalty == MintPenalties.Activity
                        ? network.PenalisedActivity is { } h ? h.abs().sum(1).mean() * options.L1 : null
                        : network.Penalised is { } w ? w.abs().sum() * options.L1 : null;
                    if (penalty is not null) loss = loss + penalty;
                }
                loss.backward();
                optimizer.step();
                lossSum += bce.item<float>();
                if (penalty is not null) penaltySum += penalty.item<float>();
            }
            epochLoss[epoch] = lossSum / steps;
            epochPenalty[epoch] = penaltySum / steps;
            onEpoch?.Invoke(epoch + 1, epochs);
        }
        network.eval();
        return new MintTrainingLog(epochLoss, epochPenalty, steps);
    }

    /// <summary>Probability that each of the n rows was used, in [0, 1].</summary>
    public double[] Predict(float[] inputs, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        int f = InputLength;
        if (inputs.Length % f != 0) throw new ArgumentException($"inputs hold {inputs.Length} values, not rows of {f}");
        int n = inputs.Length / f;
        var result = new double[n];
        network.eval();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < n; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int b = Math.Min(batchSize, n - start);
            var chunk = new float[(long)b * f];
            Array.Copy(inputs, (long)start * f, chunk, 0, chunk.Length);
            var p = TorchDevice.Host(torch.sigmoid(network.forward(Standardised(chunk, b))).to(ScalarType.Float64)).data<double>().ToArray();
            Array.Copy(p, 0, result, start, b);
        }
        return result;
    }

    /// <summary>Writes the weights to <paramref name="path"/> (.npz) and the info to the .json beside it.</summary>
    public void Save(string path)
    {
        var (npz, json) = Paths(path);
        string? directory = Path.GetDirectoryName(npz);
        if (directory is not null) Directory.CreateDirectory(directory);
        ModelWeights.SaveState(network.State(), npz);
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(Info, ActivationCapture.JsonOut) + "\n");
    }

    /// <summary>Loads a detector from its .npz or .json path (the other file must sit beside it).</summary>
    public static MintDetector Load(string path)
    {
        var (npz, json) = Paths(path);
        if (!File.Exists(json)) throw new InputException($"{json}: detector description not found (a detector is <name>.npz plus <name>.json)");
        if (!File.Exists(npz)) throw new InputException($"{npz}: detector weights not found (a detector is <name>.npz plus <name>.json)");
        MintDetectorInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<MintDetectorInfo>(File.ReadAllText(json), ActivationCapture.JsonOut);
        }
        catch (JsonException e)
        {
            throw new InputException($"{json}: not a MINT detector ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (info is null || info.Kind is null || info.InputShape is null || info.Mean is null || info.Std is null || info.Options is null || info.Points is null)
            throw new InputException($"{json}: not a MINT detector (kind, points, input_shape, mean, std or options missing)");
        if (info.SchemaVersion > 1) throw new InputException($"{json}: schema version {info.SchemaVersion} is newer than this MiaLab understands; update mialab");
        MintDetectorKinds.Check(info.Kind);
        int channels = info.InputShape[0];
        if (info.Mean.Length != channels || info.Std.Length != channels)
            throw new InputException($"{json}: standardisation has {info.Mean.Length} means and {info.Std.Length} deviations for {channels} input channels");
        var network = Build(info);
        ModelWeights.LoadState(network.State(), npz);
        network.eval();
        return new MintDetector(info, network);
    }

    /// <summary>(name.npz, name.json) for a path given with either extension or none.</summary>
    public static (string Npz, string Json) Paths(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string ext = Path.GetExtension(full);
        string stem = ext is ".npz" or ".json" ? full[..^ext.Length] : full;
        return (stem + ".npz", stem + ".json");
    }

    public void Dispose() => network.Dispose();

    // ───────────────────────── standardisation ─────────────────────────

    /// <summary>Mean and standard deviation per feature (vanilla) or per channel over N×H×W (CNN);
    /// a deviation below 1e-6 (e.g. a ReLU unit that never fires) becomes 1.</summary>
    private (float[] Mean, float[] Std) Standardisation(float[] inputs, int n)
    {
        int channels = Info.InputShape[0], f = InputLength, spatial = f / channels;
        var sum = new double[channels];
        var sq = new double[channels];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++)
            {
                double v = inputs[(long)i * f + j];
                sum[j / spatial] += v;
                sq[j / spatial] += v * v;
            }
        double count = (double)n * spatial;
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / count;
            double sd = Math.Sqrt(Math.Max(0, sq[c] / count - m * m));
            mean[c] = (float)m;
            std[c] = sd < 1e-6 ? 1f : (float)sd;
        }
        return (mean, std);
    }

    private Tensor Standardised(float[] inputs, int n)
    {
        long[] shape = [n, .. Info.InputShape.Select(d => (long)d)];
        long[] statShape = Info.InputShape.Length == 1 ? [1, Info.InputShape[0]] : [1, Info.InputShape[0], 1, 1];
        using var x = torch.tensor(inputs, shape);
        using var mean = torch.tensor(Info.Mean, statShape);
        using var std = torch.tensor(Info.Std, statShape);
        return (x - mean) / std;
    }

    /// <summary>Endless passes over a set of rows, each pass in a fresh random order.</summary>
    private sealed class Cycle(int[] rows, StableRandom random)
    {
        private readonly int[] order = (int[])rows.Clone();
        private int position = rows.Length;

        public long Next()
        {
            if (position == order.Length)
            {
                random.Shuffle(order.AsSpan());
                position = 0;
            }
            return order[position++];
        }
    }
}
