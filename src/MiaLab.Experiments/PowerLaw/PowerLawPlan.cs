using System.Globalization;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>An attack of the study and how many targets it attacks per setting: models 0…T−1, every
/// one in turn with all the others as its references (0 = every model).</summary>
public sealed record AttackBudget(string Attack, int Targets);

/// <summary>
/// What the power-law study trains and measures. The base config holds everything that decides the
/// trained heads (data, backbone, S values, seeds, head, plan); the rest of this record decides only
/// the analysis, so changing it re-measures rows without training anything again.
/// </summary>
public sealed record PowerLawPlan
{
    public required RunConfig Base { get; init; }

    /// <summary>LiRA online with one global variance on the logit-scaled confidence, one query (the paper's
    /// attack), against every model; RMIA online for comparison against the first 64.</summary>
    public IReadOnlyList<AttackBudget> Attacks { get; init; } = [new("lira-online-fixed-var", 0), new("rmia-online", 64)];

    /// <summary>The FPR levels α at which TPR − FPR is measured.</summary>
    public IReadOnlyList<double> Levels { get; init; } = [0.1, 0.01, 0.001];

    /// <summary>The most vulnerable points: these fractions of each pool's samples (at least one sample).</summary>
    public IReadOnlyList<double> TopFractions { get; init; } = [0.01, 0.001];

    /// <summary>Bootstrap resamples, both over each setting's samples and for the fit.</summary>
    public int Resamples { get; init; } = 1000;

    /// <summary>The extrapolation: the S at which TPR − FPR at FPR <see cref="TargetLevel"/> falls below this.</summary>
    public double TargetAdvantage { get; init; } = 1e-3;

    public double TargetLevel { get; init; } = 1e-3;

    /// <summary>The heads' batch size: more than any default pool holds (2·512·5 = 5,120), so each head trains full-batch.</summary>
    public const int FullBatch = 8192;

    /// <summary>The default study's base: a small CNN pretrained on Fashion-MNIST classes 0–4, 257 linear heads
    /// (1 target + 256 shadows) on Bernoulli(½) halves of pools from classes 5–9, S = 1…512, three seeds.
    /// examples/power-law.yaml spells it out.</summary>

    public static RunConfig DefaultBase()
    {
        var c = new RunConfig { Seed = 0 };
        c.Dataset.Source = "fashion-mnist";
        c.Plan.Models = 257;
        c.Plan.Scheme = "bernoulli";
        c.Model.Kind = "mlp";
        c.Model.Hidden = [];
        c.Model.Dropout = 0;
        // Fixed hyperparameters for every S (no search): full-batch Adam, one step per epoch, so every head
        // has one batch per epoch and trains in the stack exactly as it would alone (a head with fewer
        // batches than its stack-mates would get zero-gradient padding steps, which move Adam's weights).
        c.Training.Optimizer = "adam";
        c.Training.LearningRate = 0.05;
        c.Training.Momentum = 0;
        c.Training.WeightDecay = 0;
        c.Training.Epochs = 100;
        c.Training.BatchSize = FullBatch;
        c.Training.Schedule = "constant";
        c.Training.ModelsPerPass = c.Plan.Models;
        c.Query.Augmentations = ["identity"];
        return c;
    }

    /// <summary>The quick study's base (CI): a tiny backbone on 1,000 images, 33 heads, S = 2…16, two seeds.</summary>
    public static RunConfig QuickBase()
    {
        var c = DefaultBase();
        c.Plan.Models = 33;
        c.Training.ModelsPerPass = c.Plan.Models;
        c.Training.Epochs = 50;
        c.PowerLaw.Shots = [2, 4, 8, 16];
        c.PowerLaw.Seeds = 2;
        c.PowerLaw.Backbone.Channels = [4, 8];
        c.PowerLaw.Backbone.Samples = 1000;
        c.PowerLaw.Backbone.Epochs = 3;
        return c;
    }

    public static PowerLawPlan Default(RunConfig? baseConfig = null) => Checked(new() { Base = baseConfig ?? DefaultBase() });

    public static PowerLawPlan Quick(RunConfig? baseConfig = null) => Checked(new()
    {
        Base = baseConfig ?? QuickBase(),
        Attacks = [new("lira-online-fixed-var", 0), new("rmia-online", 8)],
        Resamples = 100,
    });

    /// <summary>The plan with other S values (--shots).</summary>
    public PowerLawPlan WithShots(IReadOnlyList<int> shots)
    {
        foreach (int s in shots)
            if (s < 1) throw new InputException($"--shots: S (examples per class) must be at least 1 (got {s})");
        var c = ConfigFile.Clone(Base);
        c.PowerLaw.Shots = shots.ToArray();
        return Checked(this with { Base = c }, "--shots");
    }

    /// <summary>The plan with K shadow models besides the target (--shadows): plan.models = K + 1, trained in
    /// one pass when the base trains all its models in one.</summary>
    public PowerLawPlan WithShadows(int shadows)
    {
        if (shadows < 2) throw new InputException($"--shadows must be at least 2 (got {shadows}): LiRA needs two reference models");
        var c = ConfigFile.Clone(Base);
        if (c.Training.ModelsPerPass >= c.Plan.Models) c.Training.ModelsPerPass = shadows + 1;
        c.Plan.Models = shadows + 1;
        return Checked(this with { Base = c });
    }

    /// <summary>The plan fine-tuning on the first C of its classes (--classes).</summary>
    public PowerLawPlan WithClasses(int classes)
    {
        var listed = Base.PowerLaw.Classes;
        if (classes < 2 || classes > listed.Length)
            throw new InputException($"--classes must be between 2 and {listed.Length}, the number of power_law.classes ({string.Join(", ", listed)}) (got {classes})");
        var c = ConfigFile.Clone(Base);
        c.PowerLaw.Classes = listed[..classes];
        return Checked(this with { Base = c });
    }

    /// <summary>The shadow models K (plan.models − 1).</summary>
    public int Shadows => Base.Plan.Models - 1;

    /// <summary>The S values in ascending order.</summary>
    public IReadOnlyList<int> Shots => Base.PowerLaw.Shots.Order().ToList();

    /// <summary>Every (S, seed) setting, S ascending, then seed.</summary>
    public IReadOnlyList<PowerLawSetting> Settings()
    {
        var list = new List<PowerLawSetting>();
        foreach (int s in Shots)
            for (int seed = 0; seed < Base.PowerLaw.Seeds; seed++)
            {
                var c = ConfigFile.Clone(Base);
                c.Seed = Base.Seed + seed;
                c.PowerLaw.Shots = [s];
                c.PowerLaw.Seeds = 1;
                list.Add(new PowerLawSetting(s, seed, $"s{s.ToString("D4", CultureInfo.InvariantCulture)}-seed{seed}", c));
            }
        return list;
    }

    /// <summary>The attacks' targets in a run of <paramref name="models"/> models.</summary>
    public static int TargetCount(AttackBudget budget, int models) => budget.Targets == 0 ? models : Math.Min(budget.Targets, models);

    private static PowerLawPlan Checked(PowerLawPlan plan, string shotsSource = "power_law.shots")
    {
        var c = plan.Base;
        ConfigFile.Validate(c);
        var shots = c.PowerLaw.Shots.Distinct().Order().ToList();
        if (shots.Count < PowerLawFit.MinimumShots)
            throw new InputException($"{shotsSource} gives {shots.Count} S value{(shots.Count == 1 ? "" : "s")} ({string.Join(", ", shots)}): " +
                "fewer than three S values are left to fit the law; give at least three");
        if (c.Plan.Models < 3)
            throw new InputException($"plan.models = {c.Plan.Models} leaves K = {c.Plan.Models - 1} shadow model; the study needs a target and at least K = 2 shadows");
        if (c.Model.Kind != "mlp")
            throw new InputException($"model.kind {c.Model.Kind} cannot be a head on feature vectors; use mlp (hidden: [] is a linear head, [64] a two-layer one)");
        // The heads train through their own stacked pass, with no training hooks and no external model:
        // a defense or a target section would be silently ignored, so it is refused.
        if (c.Defense.Kind != "none")
            throw new InputException($"defense.kind {c.Defense.Kind}: the power-law study trains its heads without a defense; leave the defense section out");
        if (c.Target is not null)
            throw new InputException("a target section has no place in the power-law study: every head (target and shadows) is trained by the study; leave it out");
        foreach (var a in plan.Attacks)
        {
            var definition = AttackRegistry.Get(a.Attack);
            if (a.Targets < 0) throw new InputException($"the number of targets of {a.Attack} must be ≥ 0 (0 = every model), got {a.Targets}");
            if (definition.Needs.References > c.Plan.Models - 1)
                throw new InputException($"{a.Attack} needs {definition.Needs.References} reference models; the plan has {c.Plan.Models - 1}");
        }
        foreach (double alpha in plan.Levels.Append(plan.TargetLevel))
            if (!(alpha > 0 && alpha < 1)) throw new InputException($"FPR levels must be in (0, 1), got {alpha}");
        foreach (double q in plan.TopFractions)
            if (!(q > 0 && q < 1)) throw new InputException($"the most vulnerable fractions must be in (0, 1), got {q}");
        if (!plan.Levels.Contains(plan.TargetLevel))
            throw new InputException($"the extrapolation's FPR level {plan.TargetLevel} must be one of the measured levels");
        if (plan.Resamples < 0) throw new InputException($"bootstrap resamples must be ≥ 0, got {plan.Resamples}");
        return plan;
    }
}
