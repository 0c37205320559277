using MiaLab.Core.Config;

namespace MiaLab.Torch.Training;

/// <summary>The learning rate at each optimisation step: optional linear warm-up, then
/// constant, step decay, or cosine annealing over the remaining steps from the peak down to
/// final_lr_fraction × the peak (0 by default).</summary>
public sealed class LearningRateSchedule(TrainingConfig config, int stepsPerEpoch)
{
    private readonly int warmupSteps = config.WarmupEpochs * stepsPerEpoch;
    private readonly int totalSteps = config.Epochs * stepsPerEpoch;

    public double At(int step)
    {
        double baseRate = config.LearningRate;
        if (step < warmupSteps) return baseRate * (step + 1) / warmupSteps;
        return config.Schedule switch
        {
            "constant" => baseRate,
            "step" => baseRate * Math.Pow(config.StepGamma, step / stepsPerEpoch / Math.Max(1, config.StepEpochs)),
            "cosine" => baseRate * (config.FinalLrFraction + ((1 - config.FinalLrFraction)
                * 0.5 * (1 + Math.Cos(Math.PI * (step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps))))),
            _ => throw new ArgumentException($"unknown schedule '{config.Schedule}'"),
        };
    }
}
