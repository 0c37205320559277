using MiaLab.Core;
using MiaLab.Core.Data;
using MiaLab.Core.Signals;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Defenses;

/// <summary>
/// Weighted Smoothing (Tan, Xie, Sun, Wang, ACSAC 2023; ALGORITHMS.md §9): noise on the softmax
/// output during training. Per sample, p̃ = p + n·(p₍₁₎ − p₍₂₎)·(1 − wᵢ) with n ~ N(0, σ²I_C), then
/// p̃ = |p̃| / Σ|p̃| clipped to [e⁻³⁶, 1], and the loss is NLL(log p̃, y). wᵢ is the within-class
/// z-score of the sample's modified entropy, so confident samples (low Mentr, w &lt; 0) get more
/// noise; it is 0 until recomputed after the third epoch and every epoch after (σ &gt; 0 only). The
/// gradient norm of each model is clipped at 10. The noise scale stays in the graph, as in a plain
/// PyTorch forward; the weights are constants.
/// </summary>
public sealed class WeightedSmoothing : ITrainingLoss, IEpochHook, IGradientStep
{
    public const double GradientNormLimit = 10.0;
    /// <summary>Epochs (0-based) after which the weights are recomputed: the third and later.</summary>
    public const int FirstWeightedEpoch = 2;
    private static readonly double Floor = Math.Exp(-36);
    private readonly double sigma;
    private readonly Dataset data;
    private readonly IReadOnlyList<int[]> trainSets;
    private readonly float[][] weights; // [K][N]: w of each sample for each model

    public WeightedSmoothing(double sigma, Dataset data, IReadOnlyList<int[]> trainSets)
    {
        if (!(double.IsFinite(sigma) && sigma >= 0)) throw new InputException($"defense.smoothing_sigma must be a finite number ≥ 0 (got {sigma})");
        foreach (var set in trainSets)
            if (set.Select(i => data.Labels[i]).Distinct().Count() < 2)
                throw new InputException("defense weighted-smoothing needs training data of at least two classes (its weights are z-scores within a class and its noise scale is the gap between the two largest probabilities)");
        this.sigma = sigma;
        this.data = data;
        this.trainSets = trainSets;
        weights = trainSets.Select(_ => new float[data.Count]).ToArray();
    }

    /// <summary>Model k's current weight of sample i.</summary>
    public float Weight(int model, int sample) => weights[model][sample];

    public Tensor PerSample(Tensor logits, Tensor labels, TrainingStep step)
    {
        var p = nn.functional.softmax(logits, 1);
        return NegativeLogLikelihood(Smooth(p, SlotWeights(step), sigma), labels);
    }

    /// <summary>NLL(log p̃, y) per sample: −log p̃_y.</summary>
    public static Tensor NegativeLogLikelihood(Tensor probabilities, Tensor labels) =>
        -probabilities.log().gather(1, labels.unsqueeze(1)).squeeze(1);

    /// <summary>The smoothed probabilities for probabilities p [n, C] and weights w [n]: |p + noise| renormalised, clipped.</summary>
    public static Tensor Smooth(Tensor p, Tensor w, double sigma, Tensor? standardNoise = null)
    {
        if (sigma == 0) return p.clamp(Floor, 1.0);
        var top = p.topk(2, 1).values;
        var gap = (top[.., 0] - top[.., 1]).unsqueeze(1);
        var noise = (standardNoise ?? torch.randn_like(p)) * sigma * gap * (1 - w).unsqueeze(1);
        var shifted = (p + noise).abs();
        return (shifted / shifted.sum(1, keepdim: true)).clamp(Floor, 1.0);
    }

    private Tensor SlotWeights(TrainingStep step)
    {
        var w = new float[step.Samples.Length];
        for (int m = 0; m < step.Models; m++)
            for (int b = 0; b < step.BatchSize; b++)
            {
                int slot = m * step.BatchSize + b;
                w[slot] = weights[m][step.Samples[slot]];
            }
        return torch.tensor(w);
    }

    public void Backward(StackedModel model, Tensor perSampleLoss, Tensor weight, TrainingStep step)
    {
        new MeanLossBackward().Backward(model, perSampleLoss, weight, step);
        ClipEachModel(model, GradientNormLimit);
    }

    /// <summary>torch's clip_grad_norm_ applied to each model of the stack on its own: scale its
    /// gradients by min(1, limit / (‖g‖ + 1e-6)), ‖g‖ over all of its parameters.</summary>
    public static void ClipEachModel(StackedModel model, double limit)
    {
        var grads = model.parameters().Select(p => p.grad).OfType<Tensor>().ToList();
        var squared = torch.zeros(model.Models);
        foreach (var g in grads) squared += g.view(model.Models, -1).pow(2).sum(1);
        var scale = (limit / (squared.sqrt() + 1e-6)).clamp_max(1.0).unsqueeze(1);
        foreach (var g in grads) g.view(model.Models, -1).mul_(scale);
    }

    public void AfterEpoch(StackedModel model, int epoch)
    {
        if (sigma <= 0 || epoch < FirstWeightedEpoch) return;
        model.eval();
        for (int m = 0; m < trainSets.Count; m++) Array.Clear(weights[m]);
        var entropies = ModifiedEntropies(model);
        for (int m = 0; m < trainSets.Count; m++)
            ZScoresWithinClass(trainSets[m], entropies[m], data.Labels, weights[m]);
        model.train();
    }

    /// <summary>wᵢ = (Mentrᵢ − mean_c) / (std_c + e⁻²⁰) over the distinct samples of the set with label c
    /// (std with divisor n, as numpy's), written at each sample's index.</summary>
    public static void ZScoresWithinClass(int[] set, double[] entropy, long[] labels, float[] into)
    {
        var distinct = set.Distinct().ToArray();
        foreach (var group in distinct.GroupBy(i => labels[i]))
        {
            var members = group.ToArray();
            double mean = members.Average(i => entropy[i]);
            double std = Math.Sqrt(members.Average(i => (entropy[i] - mean) * (entropy[i] - mean)));
            foreach (int i in members) into[i] = (float)((entropy[i] - mean) / (std + Math.Exp(-20)));
        }
    }

    // Mentr (ALGORITHMS.md §1) of every model's training samples, in evaluation batches: [K][N]
    // (only the model's own samples are filled).
    private double[][] ModifiedEntropies(StackedModel model)
    {
        int k = trainSets.Count, features = data.FeatureLength, batch = 512, classes = model.Classes;
        var result = trainSets.Select(_ => new double[data.Count]).ToArray();
        int longest = trainSets.Max(s => s.Length);
        var x = new float[k * batch * features];
        using var noGrad = torch.no_grad();
        for (int start = 0; start < longest; start += batch)
        {
            using var scope = torch.NewDisposeScope();
            for (int m = 0; m < k; m++)
                for (int b = 0; b < batch; b++)
                {
                    var set = trainSets[m];
                    int sample = set[Math.Min(start + b, set.Length - 1)];
                    data.Features.AsSpan(sample * features, features).CopyTo(x.AsSpan((m * batch + b) * features, features));
                }
            var input = torch.tensor(x, [k, batch, .. data.SampleShape.Select(d => (long)d)]);
            var logits = model.forward(input).data<float>().ToArray();
            for (int m = 0; m < k; m++)
                for (int b = 0; b < batch && start + b < trainSets[m].Length; b++)
                {
                    int sample = trainSets[m][start + b];
                    var row = logits.AsSpan((m * batch + b) * classes, classes);
                    result[m][sample] = Signal.FromLogits(SignalKind.ModifiedEntropy, row, data.Labels[sample]);
                }
        }
        return result;
    }
}
