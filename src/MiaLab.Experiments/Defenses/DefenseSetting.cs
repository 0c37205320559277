using System.Globalization;
using MiaLab.Core.Config;
using MiaLab.Experiments.Studies;

namespace MiaLab.Experiments.Defenses;

/// <summary>One setting of the defense study: a family (none, weighted smoothing, DP-SGD,
/// regularisation), the value shown for it, and the config that trains it.</summary>
public sealed record DefenseSetting(string Family, string Value, string Name, RunConfig Config) : IStudySetting
{
    public const string None = "none", WeightedSmoothing = "weighted smoothing", DpSgd = "DP-SGD", Regularisation = "regularisation";

    public static readonly IReadOnlyList<double> DefaultSigmas = [1e-5, 1e-4, 6e-4, 1e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.2, 1];
    public static readonly IReadOnlyList<double> DefaultEpsilons = [1, 2, 4, 8, 16];

    /// <summary>Every setting: no defense; WS at each σ; DP-SGD at each ε (δ = 1e-5, expected batch =
    /// the base's batch size) and with clipping only (σ = 0); label smoothing 0.1 and 0.3; dropout 0.5;
    /// weight decay 5e-4; early stopping (a quarter of the epochs).</summary>
    public static IReadOnlyList<DefenseSetting> All(RunConfig baseConfig, IReadOnlyList<double> sigmas, IReadOnlyList<double> epsilons,
        int trainSetSize, bool regularisation = true)
    {
        var inv = CultureInfo.InvariantCulture;
        var list = new List<DefenseSetting> { new(None, "–", "none", ConfigFile.Clone(baseConfig)) };
        foreach (double sigma in sigmas)
            list.Add(With(baseConfig, WeightedSmoothing, $"σ = {sigma.ToString("G", inv)}", $"ws-{sigma.ToString("G", inv)}",
                c => c.Defense = new DefenseConfig { Kind = "weighted-smoothing", SmoothingSigma = sigma }));
        double q = Math.Min(1, (double)baseConfig.Training.BatchSize / trainSetSize);
        foreach (double eps in epsilons)
            list.Add(With(baseConfig, DpSgd, $"ε = {eps.ToString("G", inv)}", $"dp-eps-{eps.ToString("G", inv)}",
                c => c.Defense = new DefenseConfig { Kind = "dp-sgd", TargetEpsilon = eps, SampleRate = q, MaxGradNorm = 1.0, Delta = 1e-5 }));
        list.Add(With(baseConfig, DpSgd, "clipping only (σ = 0)", "dp-clip-only",
            c => c.Defense = new DefenseConfig { Kind = "dp-sgd", NoiseMultiplier = 0, SampleRate = q, MaxGradNorm = 1.0, Delta = 1e-5 }));
        if (!regularisation) return list;
        foreach (double ls in new[] { 0.1, 0.3 })
            list.Add(With(baseConfig, Regularisation, $"label smoothing {ls.ToString("G", inv)}", $"label-smoothing-{ls.ToString("G", inv)}",
                c => c.Training.LabelSmoothing = ls));
        list.Add(With(baseConfig, Regularisation, "dropout 0.5", "dropout-0.5", c => c.Model.Dropout = 0.5));
        list.Add(With(baseConfig, Regularisation, "weight decay 5e-4", "weight-decay-5e-4", c => c.Training.WeightDecay = 5e-4));
        list.Add(With(baseConfig, Regularisation, $"early stopping ({Math.Max(1, baseConfig.Training.Epochs / 4)} epochs)", "early-stopping",
            c => c.Training.Epochs = Math.Max(1, c.Training.Epochs / 4)));
        return list;
    }

    private static DefenseSetting With(RunConfig baseConfig, string family, string value, string name, Action<RunConfig> change)
    {
        var c = ConfigFile.Clone(baseConfig);
        change(c);
        ConfigFile.Validate(c);
        return new DefenseSetting(family, value, name, c);
    }
}
