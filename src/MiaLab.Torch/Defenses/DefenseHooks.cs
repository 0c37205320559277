using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Privacy;
using MiaLab.Core.Randomness;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Defenses;

/// <summary>The training hooks of a run's defense section: what the train stage trains every
/// model group with (target and references alike).</summary>
public static class DefenseHooks
{
    /// <param name="trainSets">Per slot of the group, its training list.</param>
    /// <param name="group">The models' indices in the run (they seed the DP noise).</param>
    public static TrainingHooks For(RunConfig config, Dataset data, IReadOnlyList<int[]> trainSets, IReadOnlyList<int> group, double cosineScale = 1.0)
    {
        var plain = TrainingHooks.Default(LossSettings.From(config.Training, cosineScale));
        var d = config.Defense;
        switch (d.Kind)
        {
            case "none":
                return plain;
            case "weighted-smoothing":
                if (config.Training.Loss != "cross-entropy" || config.Training.LabelSmoothing != 0)
                    throw new InputException("defense weighted-smoothing replaces the training loss with its own NLL; use training.loss cross-entropy without label_smoothing");
                var ws = new WeightedSmoothing(d.SmoothingSigma, data, trainSets);
                return plain with { Loss = ws, Gradients = ws, AfterEpoch = ws };
            case "dp-sgd":
                var privacy = DpSgdPrivacy.Resolve(config)!;
                var gradients = new DpSgdGradients(privacy.NoiseMultiplier, privacy.MaxGradNorm,
                    trainSets.Select(s => privacy.SampleRate * s.Length).ToArray(),
                    group.Select(m => (long)Seeds.Derive(config.Seed, "dp-noise", m)).ToArray());
                return plain with { Sampler = new PoissonBatches(privacy.SampleRate), Gradients = gradients };
            default:
                throw new InputException($"defense.kind must be one of {string.Join(", ", ConfigFile.DefenseKinds)} (got '{d.Kind}')");
        }
    }
}
