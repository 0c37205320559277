using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MiaLab.Core.Config;

/// <summary>
/// Reads, checks and fingerprints run configs. Files are YAML or JSON (JSON is read as YAML)
/// with snake_case keys; a key the config does not have is an error, a missing key keeps its
/// default. The canonical form is the indented snake_case JSON of <see cref="ToJson"/>; its
/// SHA-256 identifies the config a run directory was made with.
/// </summary>
public static class ConfigFile
{
    public static readonly IReadOnlyList<string> Sources = ["fashion-mnist", "synthetic", "npz", "csv", "idx"];
    public static readonly IReadOnlyList<string> Schemes = ["balanced", "random-halves", "complementary-pairs", "bernoulli"];
    public static readonly IReadOnlyList<string> ModelKinds = ["mlp", "cnn", "resnet", "mint-paper-cnn", "unet"];
    public static readonly IReadOnlyList<string> Activations = ["relu", "tanh"];
    public static readonly IReadOnlyList<string> Optimizers = ["sgd", "adam"];
    public static readonly IReadOnlyList<string> Schedules = ["constant", "step", "cosine"];
    public static readonly IReadOnlyList<string> QueryAugmentations = ["identity", "hflip"];
    public static readonly IReadOnlyList<string> Classifiers = ["linear", "cosine"];
    /// <summary>Model kinds that take images [C, H, W].</summary>
    public static readonly IReadOnlyList<string> ImageModelKinds = ["cnn", "resnet", "mint-paper-cnn", "unet"];
    public static readonly IReadOnlyList<string> Losses = ["cross-entropy", "focal", "cosface", "arcface", "l1", "l2"];
    public static readonly IReadOnlyList<string> ReconstructionLosses = ["l1", "l2"];
    public static readonly IReadOnlyList<string> TaskKinds = ["edges2image", "denoise", "inpaint", "superres", "segment", "files"];
    public static readonly IReadOnlyList<string> PopulationSelections = ["random", "first"];
    public static readonly IReadOnlyList<string> ReferencePolicies = ["all-others", "all-but-mate", "out-k", "explicit"];
    public const int MaxBootstrapResamples = 100_000;
    public static readonly IReadOnlyList<string> DefenseKinds = ["none", "weighted-smoothing", "dp-sgd"];
    public static readonly IReadOnlyList<string> Devices = ["cpu", "cuda"];
    public static readonly IReadOnlyList<string> OnnxLayouts = ["nchw", "nhwc", "flat"];
    public static readonly IReadOnlyList<string> OnnxScalings = ["pixel/255", "mean/std", "0-255"];
    public static readonly IReadOnlyList<string> OnnxOutputs = ["logits", "probabilities"];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Reads and validates a YAML or JSON config file.</summary>
    public static RunConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new InputException(Directory.Exists(path)
                ? $"{path}: is a folder, expected a config file (.yaml or .json)"
                : $"{path}: config file not found");
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new InputException($"{path}: cannot read the config file ({e.Message})"); }
        catch (UnauthorizedAccessException e) { throw new InputException($"{path}: cannot read the config file ({e.Message})"); }
        return Parse(text, path);
    }

    /// <summary>Parses and validates config text; <paramref name="sourceName"/> (usually the file
    /// path) starts every error message. An empty config is an error.</summary>
    public static RunConfig Parse(string text, string sourceName)
    {
        var config = ConfigBinder.Bind(text, sourceName);
        try { Validate(config); }
        catch (InputException e) { throw new InputException($"{sourceName}: {e.Message}"); }
        return config;
    }

    /// <summary>Checks every value; the first problem is thrown as an <see cref="InputException"/>
    /// naming its key path, e.g. "plan.models must be at least 2 (got 1)".</summary>
    public static void Validate(RunConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        Require(c.Dataset is not null, "dataset must not be null");
        Require(c.Plan is not null, "plan must not be null");
        Require(c.Model is not null, "model must not be null");
        Require(c.Training is not null, "training must not be null");
        Require(c.Query is not null, "query must not be null");

        var d = c.Dataset!;
        OneOf("dataset.source", d.Source, Sources);
        AtLeast("dataset.population", d.Population, 0);
        AtLeast("dataset.holdout", d.Holdout, 0);
        if (d.Source is "npz" or "csv" or "idx")
            Require(!string.IsNullOrWhiteSpace(d.Path), $"dataset.path is required when dataset.source is {d.Source}");
        if (d.Source == "idx")
            Require(!string.IsNullOrWhiteSpace(d.LabelsPath), "dataset.labels_path is required when dataset.source is idx");
        OneOf("dataset.population_select", d.PopulationSelect, PopulationSelections);
        if (d.HoldoutPath is not null)
            Require(d.Source is "npz" or "csv" or "idx", $"dataset.holdout_path is for the npz, csv and idx sources, not {d.Source}");
        if (d.Source == "idx" && d.HoldoutPath is not null)
            Require(!string.IsNullOrWhiteSpace(d.HoldoutLabelsPath), "dataset.holdout_labels_path is required with dataset.holdout_path when dataset.source is idx");
        if (d.HoldoutLabelsPath is not null)
            Require(d.Source == "idx" && d.HoldoutPath is not null, "dataset.holdout_labels_path goes with dataset.source idx and dataset.holdout_path");
        Require(d.Synthetic is not null, "dataset.synthetic must not be null");
        var s = d.Synthetic!;
        if (d.Source == "synthetic")
        {
            AtLeast("dataset.synthetic.samples", s.Samples, 2);
            AtLeast("dataset.synthetic.features", s.Features, 1);
            AtLeast("dataset.synthetic.classes", s.Classes, 2);
            Require(double.IsFinite(s.Separation) && s.Separation >= 0,
                $"dataset.synthetic.separation must be a finite number ≥ 0 (got {Num(s.Separation)})");
            Require(d.Holdout < s.Samples,
                $"dataset.holdout must be less than dataset.synthetic.samples ({s.Samples}) (got {d.Holdout})");
            Require((long)d.Population + d.Holdout <= s.Samples,
                $"dataset.population + dataset.holdout must be at most dataset.synthetic.samples ({s.Samples}) (got {d.Population} + {d.Holdout})");
        }
        if (d.Population > 0)
            AtLeast("dataset.population", d.Population, 2);

        var p = c.Plan!;
        AtLeast("plan.models", p.Models, 2);
        OneOf("plan.scheme", p.Scheme, Schemes);

        var m = c.Model!;
        OneOf("model.kind", m.Kind, ModelKinds);
        OneOf("model.activation", m.Activation, Activations);
        Require(m.Hidden is not null, "model.hidden must be a list (use [] for none)");
        for (int i = 0; i < m.Hidden!.Length; i++) AtLeast($"model.hidden[{i}]", m.Hidden[i], 1);
        Require(m.Channels is not null, "model.channels must be a list");
        for (int i = 0; i < m.Channels!.Length; i++) AtLeast($"model.channels[{i}]", m.Channels[i], 1);
        if (ImageModelKinds.Contains(m.Kind))
            Require(m.Channels.Length > 0, $"model.channels must list at least one stage for model.kind {m.Kind}");
        InUnitInterval("model.dropout", m.Dropout);
        AtLeast("model.blocks_per_stage", m.BlocksPerStage, 1);
        OneOf("model.classifier", m.Classifier, Classifiers);
        Require(double.IsFinite(m.CosineScale) && m.CosineScale > 0,
            $"model.cosine_scale must be a finite number > 0 (got {Num(m.CosineScale)})");

        var t = c.Training!;
        OneOf("training.optimizer", t.Optimizer, Optimizers);
        Require(double.IsFinite(t.LearningRate) && t.LearningRate > 0,
            $"training.learning_rate must be a finite number > 0 (got {Num(t.LearningRate)})");
        InUnitInterval("training.momentum", t.Momentum);
        Require(double.IsFinite(t.WeightDecay) && t.WeightDecay >= 0,
            $"training.weight_decay must be a finite number ≥ 0 (got {Num(t.WeightDecay)})");
        AtLeast("training.epochs", t.Epochs, 1);
        AtLeast("training.batch_size", t.BatchSize, 1);
        OneOf("training.schedule", t.Schedule, Schedules);
        Require(double.IsFinite(t.FinalLrFraction) && t.FinalLrFraction >= 0 && t.FinalLrFraction < 1,
            $"training.final_lr_fraction must be in [0, 1) (got {Num(t.FinalLrFraction)})");
        Require(t.FinalLrFraction == 0 || t.Schedule == "cosine",
            $"training.final_lr_fraction applies to the cosine schedule, not to {t.Schedule} (got {Num(t.FinalLrFraction)})");
        AtLeast("training.warmup_epochs", t.WarmupEpochs, 0);
        Require(t.WarmupEpochs < t.Epochs || t.WarmupEpochs == 0,
            $"training.warmup_epochs must be less than training.epochs ({t.Epochs}) (got {t.WarmupEpochs})");
        AtLeast("training.step_epochs", t.StepEpochs, 1);
        Require(double.IsFinite(t.StepGamma) && t.StepGamma > 0 && t.StepGamma <= 1,
            $"training.step_gamma must be in (0, 1] (got {Num(t.StepGamma)})");
        InUnitInterval("training.label_smoothing", t.LabelSmoothing);
        AtLeast("training.augment_shift", t.AugmentShift, 0);
        AtLeast("training.models_per_pass", t.ModelsPerPass, 1);
        OneOf("training.loss", t.Loss, Losses);
        if (t.Loss is "cosface" or "arcface")
            Require(m.Classifier == "cosine",
                $"training.loss {t.Loss} needs model.classifier cosine (a normalised last layer), got model.classifier {m.Classifier}");
        Require(t.Loss != "focal" || t.LabelSmoothing == 0,
            $"training.label_smoothing applies to cross-entropy, cosface and arcface, not to focal (got {Num(t.LabelSmoothing)})");
        Require(double.IsFinite(t.FocalGamma) && t.FocalGamma >= 0,
            $"training.focal_gamma must be a finite number ≥ 0 (got {Num(t.FocalGamma)})");
        Require(double.IsFinite(t.CosfaceMargin) && t.CosfaceMargin >= 0 && t.CosfaceMargin <= 2,
            $"training.cosface_margin must be in [0, 2] (got {Num(t.CosfaceMargin)})");
        Require(double.IsFinite(t.ArcfaceMargin) && t.ArcfaceMargin >= 0 && t.ArcfaceMargin < Math.PI / 2,
            $"training.arcface_margin must be in [0, π/2) radians (got {Num(t.ArcfaceMargin)})");
        Require(double.IsFinite(t.RepeatFraction) && t.RepeatFraction >= 0 && t.RepeatFraction <= 1,
            $"training.repeat_fraction must be in [0, 1] (got {Num(t.RepeatFraction)})");
        AtLeast("training.repeat_times", t.RepeatTimes, 1);

        ValidateTask(c);
        ValidatePredictabilityBackbone(c);
        ValidateQuery(c.Query!);
        ValidateAttacks(c);
        ValidatePowerLaw(c.PowerLaw);
        ValidateDefense(c);
        ValidateDevice(c);
        ValidateTarget(c);
    }

    /// <summary>The query section; its own method so that its early return (augmentations left to the data)
    /// cannot skip the sections validated after it.</summary>
    private static void ValidateQuery(QueryConfig q)
    {
        if (q.Augmentations is null) return; // chosen from the data
        Require(q.Augmentations.Length > 0, "query.augmentations must list at least identity");
        for (int i = 0; i < q.Augmentations.Length; i++)
            OneOf($"query.augmentations[{i}]", q.Augmentations[i], QueryAugmentations);
        Require(q.Augmentations[0] == "identity",
            $"query.augmentations must start with identity (got {q.Augmentations[0]})");
        Require(q.Augmentations.Distinct(StringComparer.Ordinal).Count() == q.Augmentations.Length,
            $"query.augmentations must not repeat an entry (got [{string.Join(", ", q.Augmentations)}])");
    }

    /// <summary>The attacks section: the reference policy, the evaluation's resamples and level, and
    /// every attack parameter checked against the attack registry.</summary>
    private static void ValidateAttacks(RunConfig c)
    {
        Require(c.Attacks is not null, "attacks must not be null");
        var a = c.Attacks!;
        OneOf("attacks.references", a.References, ReferencePolicies);
        AtLeast("attacks.out_references", a.OutReferences, 1);
        Require(a.ReferenceLists is not null, "attacks.reference_lists must be a section (use {} for none)");
        if (a.References == "explicit")
            Require(a.ReferenceLists!.Count > 0, "attacks.references explicit needs attacks.reference_lists, e.g. {\"0\": [2, 3]}");
        else
            Require(a.ReferenceLists!.Count == 0, $"attacks.reference_lists applies to attacks.references explicit, not {a.References}");
        foreach (var (key, list) in a.ReferenceLists)
        {
            Require(int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int target),
                $"attacks.reference_lists: '{key}' is not a target model index");
            Require(list is not null && list.Length > 0, $"attacks.reference_lists.{key} must list at least one model");
            foreach (int m in list!) AtLeast($"attacks.reference_lists.{key}", m, 0);
            Require(!list.Contains(target), $"attacks.reference_lists.{key} names the target {target} itself");
            Require(list.Distinct().Count() == list.Length, $"attacks.reference_lists.{key} lists a model twice");
        }
        Require(a.BootstrapResamples >= 0 && a.BootstrapResamples <= MaxBootstrapResamples,
            $"attacks.bootstrap_resamples must be between 0 and {MaxBootstrapResamples} (got {a.BootstrapResamples})");
        Require(double.IsFinite(a.ConfidenceLevel) && a.ConfidenceLevel > 0 && a.ConfidenceLevel < 1,
            $"attacks.confidence_level must be in (0, 1) (got {Num(a.ConfidenceLevel)})");
        Require(a.Parameters is not null, "attacks.parameters must be a section (use {} for none)");
        Attacks.AttackRegistry.CheckValues(a.Parameters, "attacks.parameters");
    }

    private static void ValidateDefense(RunConfig c)
    {
        Require(c.Defense is not null, "defense must not be null");
        var d = c.Defense!;
        OneOf("defense.kind", d.Kind, DefenseKinds);
        Require(double.IsFinite(d.SmoothingSigma) && d.SmoothingSigma >= 0,
            $"defense.smoothing_sigma must be a finite number ≥ 0 (got {Num(d.SmoothingSigma)})");
        if (d.Kind != "weighted-smoothing")
            Require(d.SmoothingSigma == 0, $"defense.smoothing_sigma applies to defense.kind weighted-smoothing, not {d.Kind}");
        if (d.Kind != "dp-sgd")
        {
            Require(d.NoiseMultiplier is null && d.TargetEpsilon is null && d.SampleRate is null,
                $"defense.noise_multiplier, target_epsilon and sample_rate apply to defense.kind dp-sgd, not {d.Kind}");
            return;
        }
        Require(c.Model.Kind is not ("resnet" or "mint-paper-cnn"),
            $"defense.kind dp-sgd cannot train model.kind {c.Model.Kind}: its BatchNorm mixes the examples of a batch, so per-example gradients are undefined; use mlp or cnn");
        Require(c.Model.Classifier == "linear", "defense.kind dp-sgd needs model.classifier linear");
        Require(c.Training.RepeatTimes == 1, "defense.kind dp-sgd samples each example with rate q; it cannot repeat samples (training.repeat_times must be 1)");
        Require(d.NoiseMultiplier is null != d.TargetEpsilon is null,
            "defense.kind dp-sgd needs exactly one of defense.noise_multiplier (σ) and defense.target_epsilon (ε)");
        Require(d.SampleRate is not null, "defense.sample_rate (q, the Poisson sampling rate; the expected batch is q·N) is required for dp-sgd");
        Require(d.MaxGradNorm > 0 && !double.IsNaN(d.MaxGradNorm), $"defense.max_grad_norm (C) must be > 0 (got {Num(d.MaxGradNorm)})");
        OneOf("defense.accountant", d.Accountant, Privacy.PrivacyAccounting.Accountants);
        try
        {
            if (d.NoiseMultiplier is { } sigma) Privacy.PrivacyArguments.CheckNoise(sigma);
            if (d.TargetEpsilon is { } eps) Privacy.PrivacyArguments.CheckEpsilon(eps);
            Privacy.PrivacyArguments.CheckSampleRate(d.SampleRate!.Value);
            Privacy.PrivacyArguments.CheckDelta(d.Delta);
            // A target no σ reaches is found here, before anything is written.
            Privacy.DpSgdPrivacy.Resolve(c);
        }
        catch (InputException e) { throw new InputException($"defense: {e.Message}"); }
    }

    private static void ValidateDevice(RunConfig c)
    {
        if (c.Device is not null) OneOf("device", c.Device, Devices);
    }

    private static void ValidateTarget(RunConfig c)
    {
        if (c.Target is not { } t) return;
        Require(!string.IsNullOrWhiteSpace(t.Onnx), "target.onnx is required in a target section (the .onnx file of the model to audit)");
        ValidateOnnxModel("target", t);
        Require(t.Members is null || !string.IsNullOrWhiteSpace(t.Members), "target.members must name a bool .npy file (or be left out)");
    }

    /// <summary>Checks the settings of an ONNX classifier section named <paramref name="key"/>: how it is fed and what its output is.</summary>
    public static void ValidateOnnxModel(string key, OnnxModelConfig o)
    {
        ValidateOnnxInput(key, o);
        OneOf($"{key}.output", o.Output, OnnxOutputs);
        Require(o.OutputName is null || o.OutputName.Length > 0, $"{key}.output_name must be an output name (or be left out)");
    }

    /// <summary>Checks how an ONNX section named <paramref name="key"/> feeds its model (input, layout, scaling, mean, std),
    /// the same for every ONNX section.</summary>
    public static void ValidateOnnxInput(string key, OnnxInputConfig o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Layout is not null) OneOf($"{key}.layout", o.Layout, OnnxLayouts);
        OneOf($"{key}.scaling", o.Scaling, OnnxScalings);
        Require(o.Input is null || o.Input.Length > 0, $"{key}.input must be an input name (or be left out)");
        if (o.Scaling == "mean/std")
        {
            Require(o.Mean is { Length: > 0 } && o.Std is { Length: > 0 }, $"{key}.scaling mean/std needs {key}.mean and {key}.std (one value per channel)");
            Require(o.Mean!.Length == o.Std!.Length, $"{key}.mean has {o.Mean.Length} values but {key}.std has {o.Std.Length}");
            Require(o.Std.All(s => double.IsFinite(s) && s > 0), $"{key}.std must be finite numbers > 0 (got [{string.Join(", ", o.Std.Select(Num))}])");
        }
        else
        {
            Require(o.Mean is null && o.Std is null, $"{key}.mean and {key}.std apply to scaling mean/std only (got scaling {o.Scaling})");
        }
    }

    /// <summary>The power_law section: each value on its own (whether the data has the classes and
    /// samples, and whether three S values remain to fit, the study checks with the data in hand).</summary>
    private static void ValidatePowerLaw(PowerLawConfig? p)
    {
        Require(p is not null, "power_law must not be null");
        Require(p!.Shots is not null && p.Shots.Length > 0, "power_law.shots must list at least one S (examples per class)");
        for (int i = 0; i < p.Shots!.Length; i++) AtLeast($"power_law.shots[{i}]", p.Shots[i], 1);
        Distinct("power_law.shots", p.Shots);
        AtLeast("power_law.seeds", p.Seeds, 1);
        Require(p.Classes is not null && p.Classes.Length >= 2, "power_law.classes must list at least two classes to fine-tune on");
        for (int i = 0; i < p.Classes!.Length; i++) AtLeast($"power_law.classes[{i}]", p.Classes[i], 0);
        Distinct("power_law.classes", p.Classes);
        AtLeast("power_law.head_inputs", p.HeadInputs, 0);
        Require(p.Backbone is not null, "power_law.backbone must not be null");
        var b = p.Backbone!;
        OneOf("power_law.backbone.kind", b.Kind, ModelKinds);
        Require(b.Channels is not null && (b.Kind == "mlp" || b.Channels.Length > 0),
            $"power_law.backbone.channels must list at least one stage for kind {b.Kind}");
        for (int i = 0; i < b.Channels!.Length; i++) AtLeast($"power_law.backbone.channels[{i}]", b.Channels[i], 1);
        Require(b.Hidden is not null, "power_law.backbone.hidden must be a list (use [] for none)");
        for (int i = 0; i < b.Hidden!.Length; i++) AtLeast($"power_law.backbone.hidden[{i}]", b.Hidden[i], 1);
        Require(!string.IsNullOrWhiteSpace(b.Point), "power_law.backbone.point must name a capture point of the backbone (e.g. dense)");
        Require(b.Classes is not null && b.Classes.Length >= 2, "power_law.backbone.classes must list at least two classes to pretrain on");
        for (int i = 0; i < b.Classes!.Length; i++) AtLeast($"power_law.backbone.classes[{i}]", b.Classes[i], 0);
        Distinct("power_law.backbone.classes", b.Classes);
        var shared = b.Classes.Intersect(p.Classes).ToList();
        Require(shared.Count == 0,
            $"power_law.backbone.classes and power_law.classes share class {string.Join(", ", shared)}; the backbone must be pretrained on data disjoint from the fine-tuning data");
        AtLeast("power_law.backbone.samples", b.Samples, 0);
        AtLeast("power_law.backbone.epochs", b.Epochs, 1);
        Require(double.IsFinite(b.LearningRate) && b.LearningRate > 0,
            $"power_law.backbone.learning_rate must be a finite number > 0 (got {Num(b.LearningRate)})");
        AtLeast("power_law.backbone.batch_size", b.BatchSize, 1);
        Require(b.Weights is null || b.Weights.Trim().Length > 0, "power_law.backbone.weights must be a file path, or left out to pretrain the backbone");
        ValidateBackboneOnnx(b);
    }

    /// <summary>An ONNX backbone: the target section's input settings under power_law.backbone, and never
    /// together with weights; without onnx, those settings would be silently ignored, so they are refused.</summary>
    private static void ValidateBackboneOnnx(PowerLawBackboneConfig b)
    {
        const string key = "power_law.backbone";
        Require(b.Onnx is null || b.Onnx.Trim().Length > 0, $"{key}.onnx must be an .onnx file path, or left out");
        Require(b.Onnx is null || b.Weights is null,
            $"{key} gives both weights and onnx; give one: weights for a MiaLab model of this kind, onnx for a model trained elsewhere");
        ValidateOnnxModel(key, b);
        if (b.Onnx is not null) return;
        var plain = new OnnxModelConfig();
        Require(b.Input is null && b.Layout is null && b.Scaling == plain.Scaling && b.Mean is null && b.Std is null && b.Output == plain.Output && b.OutputName is null,
            $"{key}.input, layout, scaling, mean, std, output and output_name apply to an ONNX backbone ({key}.onnx) only");
    }

    private static void Distinct(string key, int[] values)
    {
        var repeated = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
        Require(repeated is null, $"{key} lists {repeated?.Key} twice");
    }

    /// <summary>The image-to-image section: a U-Net needs a task and a reconstruction loss, a classifier neither.</summary>
    private static void ValidateTask(RunConfig c)
    {
        bool unet = c.Model!.Kind == "unet";
        var t = c.Task;
        Require(unet == (t is not null), unet
            ? "model.kind unet needs a task section (task.kind: one of " + string.Join(", ", TaskKinds) + ")"
            : $"the task section is for image-to-image runs; set model.kind unet (got model.kind {c.Model.Kind})");
        bool reconstruction = ReconstructionLosses.Contains(c.Training!.Loss);
        Require(unet == reconstruction, unet
            ? $"training.loss must be l1 or l2 for model.kind unet (got {c.Training.Loss})"
            : $"training.loss {c.Training.Loss} is for model.kind unet; a classifier uses one of cross-entropy, focal, cosface, arcface");
        if (t is null) return;
        Require(c.Defense is null || c.Defense.Kind == "none",
            $"defense.kind {c.Defense?.Kind} is for classifiers (it acts on logits or per-example gradients of a classifier); an image-to-image run trains without a defense");
        Require(c.Target is null, "target (an external ONNX model) is a classifier to audit; an image-to-image run trains its own U-Nets");
        Require(!c.Training.AugmentFlip && c.Training.AugmentShift == 0,
            "training.augment_flip and training.augment_shift are for classifiers; an image-to-image run trains without them");
        OneOf("task.kind", t.Kind, TaskKinds);
        AtLeast("task.target_size", t.TargetSize, 0);
        Require(double.IsFinite(t.EdgeThreshold) && t.EdgeThreshold >= 0, $"task.edge_threshold must be a finite number ≥ 0 (got {Num(t.EdgeThreshold)})");
        Require(double.IsFinite(t.NoiseStd) && t.NoiseStd >= 0, $"task.noise_std must be a finite number ≥ 0 (got {Num(t.NoiseStd)})");
        AtLeast("task.mask_size", t.MaskSize, 1);
        Require(t.Factor is 2 or 4, $"task.factor must be 2 or 4 (got {t.Factor})");
        Require(double.IsFinite(t.ForegroundThreshold), $"task.foreground_threshold must be a finite number (got {Num(t.ForegroundThreshold)})");
        if (t.Kind == "files")
            Require(!string.IsNullOrWhiteSpace(t.Inputs) && !string.IsNullOrWhiteSpace(t.Targets),
                "task.inputs and task.targets are required when task.kind is files (.npy or .npz arrays)");
        Require(t.Predictability is not null, "task.predictability must not be null");
        var p = t.Predictability!;
        AtLeast("task.predictability.grid", p.Grid, 0);
        Require(double.IsFinite(p.FitFraction) && p.FitFraction > 0 && p.FitFraction < 1,
            $"task.predictability.fit_fraction must be in (0, 1) (got {Num(p.FitFraction)})");
        Require(double.IsFinite(p.Ridge) && p.Ridge >= 0, $"task.predictability.ridge must be a finite number ≥ 0 (got {Num(p.Ridge)})");
        Require(p.BackboneChannels is { Length: >= 3 },
            $"task.predictability.backbone_channels must list at least 3 stage widths: the backbone needs four stages (its stem and three), got {p.BackboneChannels?.Length ?? 0}");
        for (int i = 0; i < p.BackboneChannels!.Length; i++) AtLeast($"task.predictability.backbone_channels[{i}]", p.BackboneChannels[i], 1);
        AtLeast("task.predictability.backbone_epochs", p.BackboneEpochs, 1);
        AtLeast("task.predictability.backbone_samples", p.BackboneSamples, 10);
    }

    /// <summary>task.predictability.backbone, an ONNX model in place of the zoo ResNet: the file, the input settings
    /// every ONNX section has, and four distinct stage names (whether they are tensors of the model, the predictability
    /// stage checks with the model open). The zoo backbone's settings would be silently ignored beside it, so they are refused.</summary>
    private static void ValidatePredictabilityBackbone(RunConfig c)
    {
        if (c.Task?.Predictability?.Backbone is not { } b) return;
        const string key = "task.predictability.backbone";
        Require(!string.IsNullOrWhiteSpace(b.Onnx), $"{key}.onnx is required (the .onnx file of a pretrained backbone); leave {key} out for the zoo ResNet");
        ValidateOnnxInput(key, b);
        Require(b.Stages is not null && b.Stages.Length == Translation.PredictabilityScores.Stages,
            $"{key}.stages must name exactly {Translation.PredictabilityScores.Stages} tensors of the model, the stages whose feature maps are resized to the grid (got {b.Stages?.Length ?? 0})");
        Require(b.Stages!.All(s => !string.IsNullOrWhiteSpace(s)), $"{key}.stages must be tensor names (got an empty one)");
        var repeated = b.Stages!.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Require(repeated is null, $"{key}.stages lists '{repeated?.Key}' twice");
        var p = c.Task!.Predictability;
        var zoo = new PredictabilityConfig();
        Require(p.BackboneChannels.SequenceEqual(zoo.BackboneChannels) && p.BackboneEpochs == zoo.BackboneEpochs && p.BackboneSamples == zoo.BackboneSamples,
            $"task.predictability.backbone_channels, backbone_epochs and backbone_samples describe the zoo backbone, which {key} ({b.Onnx}) replaces; leave them out");
    }

    /// <summary>The canonical form: indented snake_case JSON, every field present, "\n" line ends.</summary>
    public static string ToJson(RunConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return JsonSerializer.Serialize(c, JsonOptions);
    }

    /// <summary>The canonical form as a JSON element (for embedding in manifest.json).</summary>
    public static JsonElement ToJsonElement(RunConfig c) => JsonSerializer.SerializeToElement(c, JsonOptions);

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of <see cref="ToJson"/>.</summary>
    public static string Sha256(RunConfig c) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson(c))));

    /// <summary>The config a run directory stores and is identified by: this one with the attacks
    /// section at its defaults (attack settings change what the attack stage does, not the models).</summary>
    public static RunConfig ForRun(RunConfig c)
    {
        var copy = Clone(c);
        copy.Attacks = new AttacksConfig();
        return copy;
    }

    /// <summary>SHA-256 of <see cref="ForRun"/>: equal for configs that train the same models.</summary>
    public static string RunSha256(RunConfig c) => Sha256(ForRun(c));

    /// <summary>A deep copy (through the canonical form, plus the device, which it leaves out).</summary>
    public static RunConfig Clone(RunConfig c)
    {
        var copy = ConfigBinder.Bind(ToJson(c), "config");
        copy.Device = c.Device;
        return copy;
    }

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new InputException(message);
    }

    private static void AtLeast(string key, int value, int min) =>
        Require(value >= min, $"{key} must be at least {min} (got {value})");

    private static void InUnitInterval(string key, double value) =>
        Require(double.IsFinite(value) && value >= 0 && value < 1, $"{key} must be in [0, 1) (got {Num(value)})");

    private static void OneOf(string key, string? value, IReadOnlyList<string> allowed) =>
        Require(value is not null && allowed.Contains(value),
            $"{key} must be one of {string.Join(", ", allowed)} (got {(value is null ? "null" : "'" + value + "'")})");

    private static string Num(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
