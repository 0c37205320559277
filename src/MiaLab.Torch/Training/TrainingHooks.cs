using MiaLab.Core.Randomness;
using TorchSharp;
using MiaLab.Torch.Models;
using static TorchSharp.torch;

namespace MiaLab.Torch.Training;

/// <summary>One optimisation step as the hooks see it: its epoch and global step, and per model the
/// samples of its batch slots (padding slots hold a real sample with weight 0).</summary>
/// <param name="Samples">[K × B] sample indices, model-major.</param>
/// <param name="Weights">[K × B] 1 for a real slot, 0 for padding.</param>
/// <param name="Targets">Image-to-image data: the slots' target images [K·B, target length]; null for classifiers.</param>
public sealed record TrainingStep(int Epoch, int Step, int Models, int BatchSize, long[] Samples, float[] Weights, Tensor? Targets = null);

/// <summary>How a model's training samples become the batches of one epoch. The default shuffles the
/// set and cuts it into consecutive batches; Poisson sampling (DP-SGD) draws each sample
/// independently, so batch sizes vary.</summary>
public interface IBatchSampler
{
    /// <param name="model">The model's slot in the stack.</param>
    /// <param name="trainSet">Its training samples (indices into the data).</param>
    /// <param name="random">The model's own stream (also drives its augmentations).</param>
    IReadOnlyList<int[]> Batches(int model, int epoch, int[] trainSet, int batchSize, StableRandom random);
}

/// <summary>The per-sample training loss from the model outputs: where output noise (Weighted
/// Smoothing) goes. Logits [K·B, C], labels [K·B] → losses [K·B]; an image-to-image model's outputs
/// are [K·B, C·H·W], compared with <see cref="TrainingStep.Targets"/>.</summary>
public interface ITrainingLoss
{
    Tensor PerSample(Tensor logits, Tensor labels, TrainingStep step);
}

/// <summary>Turns the per-sample losses [K, B] and slot weights [K, B] into the parameters' gradients:
/// where per-example clipping and noise (DP-SGD) or gradient-norm clipping go.</summary>
public interface IGradientStep
{
    /// <summary>Called once with the model before the first step (to install hooks, say).</summary>
    void Prepare(StackedModel model) { }

    void Backward(StackedModel model, Tensor perSampleLoss, Tensor weight, TrainingStep step);
}

/// <summary>Called after each epoch, with the model in training mode (it may switch modes but must
/// switch back): where a defense recomputes per-sample weights.</summary>
public interface IEpochHook
{
    void AfterEpoch(StackedModel model, int epoch);
}

/// <summary>
/// The seams the trainer runs through. <see cref="Default"/> is plain training; a defense replaces
/// the parts it changes, e.g. <c>TrainingHooks.Default(loss) with { Loss = new MyNoisyLoss(...) }</c>.
/// </summary>
public sealed record TrainingHooks(IBatchSampler Sampler, ITrainingLoss Loss, IGradientStep Gradients, IEpochHook? AfterEpoch = null)
{
    public static TrainingHooks Default(LossSettings loss) => new(new ShuffledBatches(), new ConfiguredLoss(loss), new MeanLossBackward());
}

/// <summary>Every epoch the model's order is shuffled again (from the previous epoch's order) and
/// cut into consecutive batches of the batch size; the last may be shorter.</summary>
public sealed class ShuffledBatches : IBatchSampler
{
    private readonly Dictionary<int, int[]> _orders = [];

    public IReadOnlyList<int[]> Batches(int model, int epoch, int[] trainSet, int batchSize, StableRandom random)
    {
        if (!_orders.TryGetValue(model, out var order) || order.Length != trainSet.Length)
            _orders[model] = order = (int[])trainSet.Clone();
        random.Shuffle(order.AsSpan());
        return order.Chunk(batchSize).ToList();
    }
}

/// <summary>The configured loss (cross-entropy, focal, CosFace, ArcFace; L1 or L2 against the step's targets) as it is.</summary>
public sealed class ConfiguredLoss(LossSettings settings) : ITrainingLoss
{
    public Tensor PerSample(Tensor logits, Tensor labels, TrainingStep step) => settings.Kind is "l1" or "l2"
        ? Losses.Reconstruction(logits, step.Targets ?? throw new InvalidOperationException($"training.loss {settings.Kind} needs the batch's target images"), settings.Kind)
        : Losses.PerSample(logits, labels, settings);
}

/// <summary>The sum over models of each model's weighted mean batch loss, back-propagated: since no
/// weight is shared, each model gets exactly the gradient it would get alone.</summary>
public sealed class MeanLossBackward : IGradientStep
{
    public void Backward(StackedModel model, Tensor perSampleLoss, Tensor weight, TrainingStep step)
    {
        using Scalar one = 1f;
        ((perSampleLoss * weight).sum(1) / weight.sum(1).clamp_min(one)).sum().backward();
    }
}
