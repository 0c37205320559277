using MiaLab.Core.Randomness;
using System.Runtime.InteropServices;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Runs;
using MiaLab.Torch.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Training;

/// <summary>Per-model mean training loss of every optimisation step, [K][steps].</summary>
public sealed record TrainingLog(float[][] StepLosses, int StepsPerEpoch);

/// <summary>
/// Trains the K models of a <see cref="StackedModel"/> together, each on its own sample set.
/// The loss is the sum of the K models' mean batch losses; since no weight is shared, each
/// model's gradient, and so its update under SGD or Adam (both elementwise), is exactly what
/// it would get training alone. Each model draws its batch order and augmentations from its
/// own seed, so a model trains the same whether K = 1 or K = 16 (up to float rounding and,
/// with dropout on, the dropout masks).
/// </summary>
public static class StackedTrainer
{
    /// <param name="trainSets">Per model, the indices of its training samples in <paramref name="data"/>.</param>
    /// <param name="orderSeeds">Per model, the seed of its batch order and augmentations.</param>
    /// <param name="dropoutSeed">Seeds libtorch's generator (dropout masks).</param>
    /// <param name="onStep">Called after each step with (step, total steps).</param>
    public static TrainingLog Train(StackedModel model, TrainingConfig config, Dataset data,
        IReadOnlyList<int[]> trainSets, IReadOnlyList<int> orderSeeds, long dropoutSeed,
        Action<int, int>? onStep = null, CancellationToken cancel = default)
    {
        int k = model.Models, batch = config.BatchSize, features = data.FeatureLength;
        if (trainSets.Count != k || orderSeeds.Count != k) throw new ArgumentException("need one training set and one seed per model");
        torch.manual_seed(dropoutSeed);
        int largest = trainSets.Max(s => s.Length);
        int stepsPerEpoch = (largest + batch - 1) / batch;
        int totalSteps = stepsPerEpoch * config.Epochs;
        var schedule = new LearningRateSchedule(config, stepsPerEpoch);
        using var optimizer = CreateOptimizer(model, config);
        var builder = new BatchBuilder(data, batch, config.AugmentFlip, config.AugmentShift);
        double? scale = ModelZoo.CosineScale(model);
        if (config.Loss is "cosface" or "arcface" && scale is null)
            throw new InputException($"training.loss {config.Loss} needs model.classifier cosine (a normalised last layer)");
        var loss = LossSettings.From(config, scale ?? 1.0);
        var randoms = orderSeeds.Select(s => new StableRandom((ulong)s)).ToArray();
        var orders = trainSets.Select(s => (int[])s.Clone()).ToArray();
        var x = new float[k * batch * features];
        var y = new long[k * batch];
        var w = new float[k * batch];
        long[] inputShape = [k, batch, .. data.SampleShape.Select(d => (long)d)];
        // Persistent input tensors, refilled by one memcpy per step: no per-step allocations for
        // the GC, and no tensor left to the finalizer thread (whose concurrent frees of libtorch
        // memory crashed long runs).
        using var xTensor = torch.zeros(inputShape);
        using var yTensor = torch.zeros(k * batch, ScalarType.Int64);
        using var wTensor = torch.zeros(k, batch);
        using Scalar one = 1f;
        var losses = Enumerable.Range(0, k).Select(_ => new float[totalSteps]).ToArray();
        model.train();
        int step = 0;
        for (int epoch = 0; epoch < config.Epochs; epoch++)
        {
            for (int m = 0; m < k; m++) randoms[m].Shuffle(orders[m].AsSpan());
            for (int s = 0; s < stepsPerEpoch; s++, step++)
            {
                cancel.ThrowIfCancellationRequested();
                for (int m = 0; m < k; m++)
                {
                    // A model whose set is smaller than the largest gets padding (weight 0) at the
                    // end of the epoch; with a whole batch of padding its gradient is zero.
                    int start = Math.Min(s * batch, orders[m].Length);
                    int count = Math.Min(batch, orders[m].Length - start);
                    builder.Fill(m, orders[m].AsSpan(start, count), orders[m][0], randoms[m], x, y, w);
                }
                foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.At(step);
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                MemoryMarshal.AsBytes(x.AsSpan()).CopyTo(xTensor.bytes);
                MemoryMarshal.AsBytes(y.AsSpan()).CopyTo(yTensor.bytes);
                MemoryMarshal.AsBytes(w.AsSpan()).CopyTo(wTensor.bytes);
                var perModel = BatchLoss(model, xTensor, yTensor, wTensor, k, batch, loss, one);
                perModel.sum().backward();
                optimizer.step();
                var values = perModel.detach().data<float>().ToArray();
                for (int m = 0; m < k; m++) losses[m][step] = values[m];
                onStep?.Invoke(step + 1, totalSteps);
            }
        }
        model.eval();
        return new TrainingLog(losses, stepsPerEpoch);
    }

    /// <summary>Each model's weighted mean loss (<see cref="Losses"/>) over its slot of the batch, [K].</summary>
    private static Tensor BatchLoss(StackedModel model, Tensor x, Tensor y, Tensor weight, int k, int batch, LossSettings loss, Scalar one)
    {
        var logits = model.forward(x);
        var perSample = Losses.PerSample(logits.reshape(k * batch, -1), y, loss).view(k, batch);
        return (perSample * weight).sum(1) / weight.sum(1).clamp_min(one);
    }

    private static OptimizerHelper CreateOptimizer(StackedModel model, TrainingConfig config) => config.Optimizer switch
    {
        "sgd" => torch.optim.SGD(model.parameters(), config.LearningRate, config.Momentum, weight_decay: config.WeightDecay),
        "adam" => torch.optim.Adam(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{config.Optimizer}'"),
    };
}
