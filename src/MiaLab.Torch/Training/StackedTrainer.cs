using System.Runtime.InteropServices;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Randomness;
using MiaLab.Torch.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Training;

/// <summary>Per-model mean training loss of every optimisation step, [K][steps].</summary>
public sealed record TrainingLog(float[][] StepLosses, int StepsPerEpoch);

/// <summary>
/// Trains the K models of a <see cref="StackedModel"/> together, each on its own sample set, through
/// the seams of <see cref="TrainingHooks"/> (batch sampling, the per-sample loss, the gradient step,
/// an after-epoch hook). With the default hooks, each model's gradient, and so its update under SGD
/// or Adam (both elementwise), is exactly what it would get training alone. Each model draws its
/// batches and augmentations from its own seed, so a model trains the same whether K = 1 or K = 16
/// (up to float rounding and, with dropout on, the dropout masks). A non-finite loss stops training
/// with an <see cref="InputException"/> naming the model and the epoch.
/// </summary>
public static class StackedTrainer
{
    /// <param name="trainSets">Per model, the indices of its training samples in <paramref name="data"/>.</param>
    /// <param name="orderSeeds">Per model, the seed of its batch order and augmentations.</param>
    /// <param name="dropoutSeed">Seeds libtorch's generator (dropout masks).</param>
    /// <param name="onStep">Called after each step with (step, total steps).</param>
    /// <param name="hooks">The seams a defense plugs into; null = plain training with the config's loss.</param>
    /// <param name="modelNames">Per slot, how errors name the model (default "model k").</param>
    public static TrainingLog Train(StackedModel model, TrainingConfig config, Dataset data,
        IReadOnlyList<int[]> trainSets, IReadOnlyList<int> orderSeeds, long dropoutSeed,
        Action<int, int>? onStep = null, CancellationToken cancel = default, TrainingHooks? hooks = null,
        IReadOnlyList<string>? modelNames = null)
    {
        int k = model.Models, features = data.FeatureLength;
        if (trainSets.Count != k || orderSeeds.Count != k) throw new ArgumentException("need one training set and one seed per model");
        if (trainSets.Any(s => s.Length == 0)) throw new InputException("a model has no training samples");
        torch.manual_seed(dropoutSeed);
        double? scale = ModelZoo.CosineScale(model);
        if (config.Loss is "cosface" or "arcface" && scale is null)
            throw new InputException($"training.loss {config.Loss} needs model.classifier cosine (a normalised last layer)");
        hooks ??= TrainingHooks.Default(LossSettings.From(config, scale ?? 1.0));
        hooks.Gradients.Prepare(model);
        var randoms = orderSeeds.Select(s => new StableRandom((ulong)s)).ToArray();
        var builder = new BatchBuilder(data, config.AugmentFlip, config.AugmentShift);

        // Steps per epoch come from the first epoch's batches (the same count every epoch for the default
        // sampler); a model with fewer batches than the longest gets padding steps of weight 0.
        var epochBatches = Batches(hooks.Sampler, trainSets, config.BatchSize, randoms, 0);
        int stepsPerEpoch = epochBatches.Max(b => b.Count);
        int totalSteps = stepsPerEpoch * config.Epochs;
        var schedule = new LearningRateSchedule(config, stepsPerEpoch);
        using var optimizer = CreateOptimizer(model, config);
        var buffers = new StepBuffers(k, Math.Max(1, epochBatches.Max(b => b.Max(x => x.Length))), data.SampleShape, data.TargetLength);
        var losses = Enumerable.Range(0, k).Select(_ => new List<float>(totalSteps)).ToArray();
        model.train();
        int step = 0;
        for (int epoch = 0; epoch < config.Epochs; epoch++)
        {
            if (epoch > 0) epochBatches = Batches(hooks.Sampler, trainSets, config.BatchSize, randoms, epoch);
            int steps = Math.Max(stepsPerEpoch, epochBatches.Max(b => b.Count));
            for (int s = 0; s < steps; s++, step++)
            {
                cancel.ThrowIfCancellationRequested();
                int width = Math.Max(1, epochBatches.Max(b => s < b.Count ? b[s].Length : 0));
                buffers.EnsureCapacity(width);
                for (int m = 0; m < k; m++)
                {
                    int[] batch = s < epochBatches[m].Count ? epochBatches[m][s] : [];
                    builder.Fill(m, buffers.Width, batch, trainSets[m][0], randoms[m], buffers.X, buffers.Y, buffers.W, buffers.T);
                    for (int b = 0; b < buffers.Width; b++) buffers.S[m * buffers.Width + b] = b < batch.Length ? batch[b] : trainSets[m][0];
                }
                foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.At(Math.Min(step, totalSteps - 1));
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                var (x, y, w, t) = buffers.Upload();
                var info = new TrainingStep(epoch, step, k, buffers.Width, buffers.S, buffers.W, t);
                var logits = model.forward(x);
                var perSample = hooks.Loss.PerSample(logits.reshape(k * buffers.Width, -1), y, info).view(k, buffers.Width);
                hooks.Gradients.Backward(model, perSample, w, info);
                optimizer.step();
                using Scalar one = 1f;
                var values = TorchDevice.Host((perSample.detach() * w).sum(1) / w.sum(1).clamp_min(one)).data<float>().ToArray();
                for (int m = 0; m < k; m++)
                {
                    if (!float.IsFinite(values[m]))
                        throw new InputException($"training {(modelNames?[m] ?? $"model {m}")} diverged in epoch {epoch + 1}: the loss is {values[m]} (lower training.learning_rate)");
                    losses[m].Add(values[m]);
                }
                onStep?.Invoke(Math.Min(step + 1, totalSteps), totalSteps);
            }
            hooks.AfterEpoch?.AfterEpoch(model, epoch);
            model.train();
        }
        model.eval();
        buffers.Dispose();
        return new TrainingLog(losses.Select(l => l.ToArray()).ToArray(), stepsPerEpoch);
    }

    private static List<IReadOnlyList<int[]>> Batches(IBatchSampler sampler, IReadOnlyList<int[]> sets, int batchSize, StableRandom[] randoms, int epoch) =>
        Enumerable.Range(0, sets.Count).Select(m => sampler.Batches(m, epoch, sets[m], batchSize, randoms[m])).ToList();

    private static OptimizerHelper CreateOptimizer(StackedModel model, TrainingConfig config) => config.Optimizer switch
    {
        "sgd" => torch.optim.SGD(model.parameters(), config.LearningRate, config.Momentum, weight_decay: config.WeightDecay),
        "adam" => torch.optim.Adam(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{config.Optimizer}'"),
    };

    /// <summary>The step's inputs: managed arrays filled by the batch builder, copied by one memcpy
    /// into persistent tensors (no per-step allocation, and no tensor left to the finalizer thread,
    /// whose concurrent frees of libtorch memory crashed long runs). Reallocated only when a sampler
    /// hands out a batch wider than any before.</summary>
    /// <param name="targetLength">Values of one sample's target image (0 for classifiers: no target buffer).</param>
    private sealed class StepBuffers(int models, int width, int[] sampleShape, int targetLength) : IDisposable
    {
        private Tensor? _x, _y, _w, _t;
        public int Width { get; private set; } = width;
        public float[] X { get; private set; } = new float[models * width * sampleShape.Aggregate(1, (a, b) => a * b)];
        public long[] Y { get; private set; } = new long[models * width];
        public float[] W { get; private set; } = new float[models * width];
        public float[]? T { get; private set; } = targetLength > 0 ? new float[models * width * targetLength] : null;
        /// <summary>The sample index of every slot (the hooks' view; never uploaded).</summary>
        public long[] S { get; private set; } = new long[models * width];

        public void EnsureCapacity(int needed)
        {
            if (needed <= Width && _x is not null) return;
            if (needed > Width)
            {
                Width = needed;
                X = new float[models * Width * sampleShape.Aggregate(1, (a, b) => a * b)];
                Y = new long[models * Width];
                W = new float[models * Width];
                T = targetLength > 0 ? new float[models * Width * targetLength] : null;
                S = new long[models * Width];
            }
            Dispose();
            // On the CPU, where memcpy can fill them; Upload moves them to the default device.
            _x = torch.zeros([models, Width, .. sampleShape.Select(d => (long)d)], device: torch.CPU);
            _y = torch.zeros(models * Width, ScalarType.Int64, device: torch.CPU);
            _w = torch.zeros(models, Width, device: torch.CPU);
            _t = targetLength > 0 ? torch.zeros(models * Width, targetLength, device: torch.CPU) : null;
        }

        public (Tensor X, Tensor Y, Tensor W, Tensor? T) Upload()
        {
            MemoryMarshal.AsBytes(X.AsSpan()).CopyTo(_x!.bytes);
            MemoryMarshal.AsBytes(Y.AsSpan()).CopyTo(_y!.bytes);
            MemoryMarshal.AsBytes(W.AsSpan()).CopyTo(_w!.bytes);
            if (T is not null) MemoryMarshal.AsBytes(T.AsSpan()).CopyTo(_t!.bytes);
            return (TorchDevice.OnDefault(_x), TorchDevice.OnDefault(_y), TorchDevice.OnDefault(_w), _t is null ? null : TorchDevice.OnDefault(_t));
        }

        public void Dispose()
        {
            _x?.Dispose(); _y?.Dispose(); _w?.Dispose(); _t?.Dispose();
            _x = _y = _w = _t = null;
        }
    }
}
