using System.Globalization;
using MiaLab.Core;
using MiaLab.Core.Config;

namespace MiaLab.Experiments;

/// <summary>
/// What the factor study trains: a base config and, per factor, the values to try. Each setting
/// is a copy of the base with one factor changed (<see cref="Settings"/>); a setting whose config
/// equals the base's shares the base's run directory.
/// </summary>
public sealed record FactorStudyPlan
{
    public required RunConfig Base { get; init; }
    /// <summary>Times-seen factor: how many times the repeated fraction of each model's data appears per epoch.</summary>
    public IReadOnlyList<int> TimesSeen { get; init; } = [1, 10, 20, 30];
    /// <summary>The fraction of each model's training samples that is repeated (the paper: 25%).</summary>
    public double RepeatFraction { get; init; } = 0.25;
    public IReadOnlyList<int> BatchSizes { get; init; } = [8, 32, 64, 256];
    /// <summary>Dropout factor: "off" (rate 0) and/or "on" (rate <see cref="DropoutRate"/>).</summary>
    public IReadOnlyList<string> Dropout { get; init; } = ["off", "on"];
    public double DropoutRate { get; init; } = 0.25;
    /// <summary>Loss factor values, from <see cref="Factors.AllLosses"/>.</summary>
    public IReadOnlyList<string> Losses { get; init; } = Factors.AllLosses;
    /// <summary>The label smoothing of the "label-smoothing" loss value.</summary>
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>The attacks run on each setting's target; the strongest is reported.</summary>
    public IReadOnlyList<string> Attacks { get; init; } = ["loss", "lira-offline", "rmia-offline"];
    /// <summary>MINT detector epochs (null = the protocol's default, 20 for the vanilla detector).</summary>
    public int? MintEpochs { get; init; }
    /// <summary>λ of the Vanilla MINT detector's L1 penalty; default: the detector's default (docs/results.md, MINT).</summary>
    public double MintL1 { get; init; } = new MiaLab.Torch.Mint.MintTrainingOptions().L1;
    /// <summary>What λ applies to: "weight" or "activity" (<see cref="MiaLab.Torch.Mint.MintPenalties"/>).</summary>
    public string MintPenalty { get; init; } = new MiaLab.Torch.Mint.MintTrainingOptions().Penalty;

    /// <summary>The default study's base: the object-classification MINT paper's CNN (blocks of two 3×3
    /// conv + batch norm + ReLU, max-pool, dropout; dense 128) at a quarter of the paper's width, on
    /// Fashion-MNIST, sized for about an hour on 2 idle CPU cores — an estimate from the base setting alone,
    /// not yet a measured time (docs/benchmarks.md).</summary>
    public static RunConfig DefaultBase()
    {
        var c = new RunConfig { Seed = 0 };
        c.Dataset.Source = "fashion-mnist";
        c.Dataset.Population = 2000;
        c.Dataset.Holdout = 1000;
        c.Plan.Models = 4;
        c.Plan.Scheme = "complementary-pairs";
        c.Model.Kind = MiaLab.Torch.Models.MintPaperCnn.Kind;
        // The paper's blocks have 32, 64, 128 filters; a quarter of that keeps 15 settings × 4 models near the hour.
        c.Model.Channels = [8, 16, 32];
        // The paper's CNN has dropout after each block: the base has it on, the dropout factor removes it.
        c.Model.Dropout = 0.25;
        // Adam at 1e-3 without augmentation: model 0 reached train accuracy 0.867, test 0.800 (docs/results.md).
        c.Training.Optimizer = "adam";
        c.Training.LearningRate = 1e-3;
        c.Training.Epochs = 15;
        c.Training.BatchSize = 32;
        c.Training.Schedule = "constant";
        // Batched conv training is slower than one model at a time on a CPU.
        c.Training.ModelsPerPass = 1;
        c.Query.Augmentations = ["identity", "hflip"];
        return c;
    }

    /// <summary>The quick study's base (CI): a few hundred Fashion-MNIST images, a tiny paper CNN, three epochs.</summary>
    public static RunConfig QuickBase()
    {
        var c = DefaultBase();
        c.Dataset.Population = 400;
        c.Dataset.Holdout = 200;
        c.Model.Channels = [4, 8, 8];
        c.Training.Epochs = 3;
        c.Training.LearningRate = 0.01;
        return c;
    }

    /// <summary>The full study of the issue, on <paramref name="baseConfig"/> (default: <see cref="DefaultBase"/>).</summary>
    public static FactorStudyPlan Default(RunConfig? baseConfig = null) => new() { Base = Checked(baseConfig ?? DefaultBase()) };

    /// <summary>A reduced study for CI: two values of each factor (one loss besides cross-entropy),
    /// on <paramref name="baseConfig"/> (default: <see cref="QuickBase"/>).</summary>
    public static FactorStudyPlan Quick(RunConfig? baseConfig = null)
    {
        var b = Checked(baseConfig ?? QuickBase());
        return new FactorStudyPlan
        {
            Base = b,
            TimesSeen = [1, 5],
            BatchSizes = b.Training.BatchSize == 64 ? [32, 64] : [b.Training.BatchSize, 64],
            Dropout = ["off", "on"],
            Losses = [Factors.CrossEntropy, Factors.CosFace],
            MintEpochs = 5,
        };
    }

    /// <summary>Every setting, factor by factor in the order of <see cref="Factors.All"/>.</summary>
    public IReadOnlyList<FactorSetting> Settings()
    {
        Checked(Base);
        if (!(RepeatFraction > 0 && RepeatFraction <= 1))
            throw new InputException($"the repeated fraction must be in (0, 1] (got {RepeatFraction.ToString(CultureInfo.InvariantCulture)})");
        var list = new List<FactorSetting>();
        foreach (int times in TimesSeen)
        {
            if (times < 1) throw new InputException($"times seen must be at least 1 (got {times})");
            // ×1 is no repetition at all (repeat_fraction 0), the same config as a base without repetition.
            list.Add(Make(Factors.TimesSeen, $"x{times}", c =>
            {
                c.Training.RepeatFraction = times > 1 ? RepeatFraction : 0;
                c.Training.RepeatTimes = times;
            }));
        }
        foreach (int batch in BatchSizes)
        {
            if (batch < 1) throw new InputException($"batch sizes must be at least 1 (got {batch})");
            list.Add(Make(Factors.BatchSize, batch.ToString(CultureInfo.InvariantCulture), c => c.Training.BatchSize = batch));
        }
        foreach (var d in Dropout)
        {
            double rate = d switch
            {
                "off" => 0,
                "on" => DropoutRate,
                _ => throw new InputException($"dropout values are off and on (got '{d}')"),
            };
            list.Add(Make(Factors.Dropout, d, c => c.Model.Dropout = rate));
        }
        foreach (var loss in Losses)
            list.Add(Make(Factors.Loss, loss, c => ApplyLoss(c, loss)));
        foreach (var s in list) ConfigFile.Validate(s.Config);
        return list;
    }

    private FactorSetting Make(string factor, string value, Action<RunConfig> change)
    {
        var c = ConfigFile.Clone(Base);
        change(c);
        return new FactorSetting(factor, value, $"{factor}-{value}", c);
    }

    private void ApplyLoss(RunConfig c, string loss)
    {
        c.Training.LabelSmoothing = 0;
        c.Model.Classifier = "linear";
        switch (loss)
        {
            case Factors.CrossEntropy: c.Training.Loss = "cross-entropy"; break;
            case Factors.LabelSmoothing: c.Training.Loss = "cross-entropy"; c.Training.LabelSmoothing = LabelSmoothing; break;
            case Factors.Focal: c.Training.Loss = "focal"; break;
            case Factors.CosFace: c.Training.Loss = "cosface"; c.Model.Classifier = "cosine"; break;
            case Factors.ArcFace: c.Training.Loss = "arcface"; c.Model.Classifier = "cosine"; break;
            default: throw new InputException($"loss values are {string.Join(", ", Factors.AllLosses)} (got '{loss}')");
        }
    }

    private static RunConfig Checked(RunConfig c)
    {
        ConfigFile.Validate(c);
        if (c.Plan.Models < 2) throw new InputException("the factor study needs at least 2 models per setting (a target and references)");
        return c;
    }
}
