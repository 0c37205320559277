using System.Text.Json.Serialization;

namespace MiaLab.Core.Config;

// The configuration of one run directory, as plain records with defaults. Files use
// snake_case keys (YAML or JSON); unknown keys are errors. `mialab audit` with no config runs
// RunConfig.BuiltInAudit().

public sealed class RunConfig
{
    /// <summary>Every random choice (data subsample, keep matrix, weights, batches) derives from this.</summary>
    public int Seed { get; set; } = 0;
    public DatasetConfig Dataset { get; set; } = new();
    public PlanConfig Plan { get; set; } = new();
    public ModelConfig Model { get; set; } = new();
    public TrainingConfig Training { get; set; } = new();
    public QueryConfig Query { get; set; } = new();
    /// <summary>Image-to-image runs only: the (input, target) task the U-Net learns; null = a classifier run.
    /// Left out of the canonical JSON when null, so classifier configs keep their SHA-256.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskConfig? Task { get; set; }
    /// <summary>How the attack stage attacks (not part of the run directory's identity: changing it reruns only the attacks).</summary>
    public AttacksConfig Attacks { get; set; } = new();
    public DefenseConfig Defense { get; set; } = new();
    /// <summary>An external target model (an ONNX file) in place of model 0; null = MiaLab trains
    /// every model. Left out of the canonical form when absent, so older configs keep their SHA-256.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TargetConfig? Target { get; set; }
    /// <summary>cpu | cuda: where TorchSharp and ONNX Runtime compute (null = cpu); --device overrides
    /// it. cuda needs the CUDA build (docs/scale-out.md). Where a run computes is not what the run
    /// is: the device stays out of the canonical form (and the config's SHA-256), so a run planned
    /// on one machine can be filled on GPU nodes.</summary>
    [JsonIgnore]
    public string? Device { get; set; }
    /// <summary>The fine-tuning power-law study (`mialab experiment power-law`); other commands ignore it.</summary>
    public PowerLawConfig PowerLaw { get; set; } = new();

    /// <summary>The built-in audit (examples/fashion-mnist.yaml spells it out): 16 MLPs, each
    /// trained on a random half of 20,000 Fashion-MNIST images, with 5,000 test images as the
    /// holdout split; sized to run in under 10 minutes on 2 cores.</summary>
    public static RunConfig BuiltInAudit()
    {
        var config = new RunConfig();
        config.Dataset.Population = 20_000;
        config.Dataset.Holdout = 5_000;
        config.Query.Augmentations = ["identity", "hflip"];
        return config;
    }
}

public sealed class DatasetConfig
{
    /// <summary>fashion-mnist | synthetic | npz | csv | idx</summary>
    public string Source { get; set; } = "fashion-mnist";
    /// <summary>npz/csv: the data file; idx: the images file.</summary>
    public string? Path { get; set; }
    /// <summary>idx only: the labels file.</summary>
    public string? LabelsPath { get; set; }
    /// <summary>csv only: the name of the label column (default: the first column).</summary>
    public string? LabelColumn { get; set; }
    /// <summary>Size of the population (a subsample of the training data, drawn as population_select says); 0 = all of it.</summary>
    public int Population { get; set; } = 0;
    /// <summary>Size of the extra split no model trains on (fashion-mnist: from its test set; with holdout_path: from
    /// that file, 0 = all of it; others: held out of the data, 0 = none).</summary>
    public int Holdout { get; set; } = 0;
    /// <summary>random | first: how the population and the holdout are drawn. random = a seeded random subset;
    /// first = the first rows of their source (a holdout carved out of the same file is then its last rows).</summary>
    public string PopulationSelect { get; set; } = "random";
    /// <summary>npz/csv: a separate file (same format) whose rows are the holdout; idx: the holdout images file.</summary>
    public string? HoldoutPath { get; set; }
    /// <summary>idx with holdout_path: the holdout labels file.</summary>
    public string? HoldoutLabelsPath { get; set; }
    public SyntheticConfig Synthetic { get; set; } = new();
}

public sealed class SyntheticConfig
{
    public int Samples { get; set; } = 2000;
    public int Features { get; set; } = 20;
    public int Classes { get; set; } = 4;
    /// <summary>Distance scale between class means, in units of the within-class standard deviation.</summary>
    public double Separation { get; set; } = 3.0;
}

public sealed class PlanConfig
{
    /// <summary>M, the number of models (target plus references); at least 2.</summary>
    public int Models { get; set; } = 16;
    /// <summary>balanced | random-halves | complementary-pairs | bernoulli (KeepPlan says what each does).</summary>
    public string Scheme { get; set; } = "balanced";
}

public sealed class ModelConfig
{
    /// <summary>mlp | cnn | resnet | mint-paper-cnn (the object-classification MINT paper's audited CNN) | unet (image-to-image; needs a task section)</summary>
    public string Kind { get; set; } = "mlp";
    /// <summary>MLP hidden layer widths.</summary>
    public int[] Hidden { get; set; } = [512, 256];
    /// <summary>relu | tanh (MLP).</summary>
    public string Activation { get; set; } = "relu";
    public double Dropout { get; set; } = 0.0;
    /// <summary>CNN / ResNet: channels of each conv stage; mint-paper-cnn: filters of each block (the paper: [32, 64, 128]); U-Net: the width of each level (depth = count).</summary>
    public int[] Channels { get; set; } = [32, 64];
    /// <summary>ResNet: residual blocks per stage.</summary>
    public int BlocksPerStage { get; set; } = 1;
    /// <summary>The last layer: linear | cosine (s·cos θ between normalised features and
    /// normalised class weights; needed by the cosface and arcface losses).</summary>
    public string Classifier { get; set; } = "linear";
    /// <summary>Cosine classifier: the scale s of its outputs s·cos θ.</summary>
    public double CosineScale { get; set; } = 16.0;
}

public sealed class TrainingConfig
{
    /// <summary>sgd | adam</summary>
    public string Optimizer { get; set; } = "sgd";
    public double LearningRate { get; set; } = 0.05;
    public double Momentum { get; set; } = 0.9;
    public double WeightDecay { get; set; } = 0.0;
    public int Epochs { get; set; } = 40;
    public int BatchSize { get; set; } = 128;
    /// <summary>constant | step | cosine</summary>
    public string Schedule { get; set; } = "cosine";
    /// <summary>cosine: the rate at the end as a fraction of the peak, f ∈ [0, 1): rate = peak·(f + (1−f)·½(1+cos πt))
    /// (PyTorch's CosineAnnealingLR with eta_min = f·peak). 0 = anneal to zero.</summary>
    public double FinalLrFraction { get; set; } = 0.0;
    public int WarmupEpochs { get; set; } = 0;
    /// <summary>step schedule: multiply the rate by StepGamma every StepEpochs epochs.</summary>
    public int StepEpochs { get; set; } = 10;
    public double StepGamma { get; set; } = 0.1;
    /// <summary>Smooths the targets of cross-entropy (and of the cross-entropy inside cosface and arcface).</summary>
    public double LabelSmoothing { get; set; } = 0.0;
    /// <summary>cross-entropy | focal | cosface | arcface (the last two need model.classifier cosine);
    /// l1 | l2 for model.kind unet (mean absolute / squared pixel error).</summary>
    public string Loss { get; set; } = "cross-entropy";
    /// <summary>Focal loss −(1−p_y)^γ log p_y: the exponent γ (0 = cross-entropy).</summary>
    public double FocalGamma { get; set; } = 2.0;
    /// <summary>CosFace: the additive cosine margin m (the true class's logit becomes s·(cos θ − m) in training).</summary>
    public double CosfaceMargin { get; set; } = 0.35;
    /// <summary>ArcFace: the additive angular margin m in radians (the true class's logit becomes s·cos(θ + m) in training).</summary>
    public double ArcfaceMargin { get; set; } = 0.5;
    /// <summary>A seeded fraction of each model's training samples that appears repeat_times times per epoch.</summary>
    public double RepeatFraction { get; set; } = 0.0;
    /// <summary>How many times each repeated sample appears in an epoch (1 = no repetition).</summary>
    public int RepeatTimes { get; set; } = 1;
    /// <summary>Random horizontal flip of training images.</summary>
    public bool AugmentFlip { get; set; } = false;
    /// <summary>Random shift of training images by up to this many pixels (zero fill).</summary>
    public int AugmentShift { get; set; } = 0;
    /// <summary>How many models train together in one batched pass.</summary>
    public int ModelsPerPass { get; set; } = 16;
}

public sealed class QueryConfig
{
    /// <summary>Query augmentations, in order: identity | hflip. Null (the default) = both for images,
    /// identity alone for vectors; hflip named for data that is not an image is an error.</summary>
    public string[]? Augmentations { get; set; }
}

/// <summary>A training-time defense (every model of the run, target and references alike, trains with it).</summary>
public sealed class DefenseConfig
{
    /// <summary>none | weighted-smoothing | dp-sgd</summary>
    public string Kind { get; set; } = "none";
    /// <summary>weighted-smoothing: σ of the Gaussian noise on the softmax outputs (Tan et al. 2023); 0 = none.</summary>
    public double SmoothingSigma { get; set; } = 0.0;
    /// <summary>dp-sgd: the noise multiplier σ (noise N(0, σ²C²) on the summed clipped gradients); give this
    /// or target_epsilon. 0 = clipping only.</summary>
    public double? NoiseMultiplier { get; set; }
    /// <summary>dp-sgd: the ε to reach at the end of training; σ is then the smallest that reaches it.</summary>
    public double? TargetEpsilon { get; set; }
    /// <summary>dp-sgd: C, the norm every per-example gradient is clipped to.</summary>
    public double MaxGradNorm { get; set; } = 1.0;
    /// <summary>dp-sgd: q, each sample's probability of being in a batch (Poisson sampling; the expected
    /// batch is q·N, and an epoch is round(1/q) steps). Required for dp-sgd.</summary>
    public double? SampleRate { get; set; }
    /// <summary>dp-sgd: the δ of the (ε, δ) guarantee.</summary>
    public double Delta { get; set; } = 1e-5;
    /// <summary>dp-sgd: rdp | prv, the accountant that turns (σ, q, steps, δ) into ε.</summary>
    public string Accountant { get; set; } = "rdp";
}

/// <summary>
/// A model trained elsewhere, as an ONNX file, and how MiaLab feeds it: which input takes the
/// samples, in which layout and scaling. MiaLab holds images as [C, H, W] with pixels read as
/// pixel/255; the model may want them otherwise. Every ONNX section has these settings.
/// </summary>
public class OnnxInputConfig
{
    /// <summary>The .onnx file (never modified: activations are read from a copy in memory).</summary>
    public string? Onnx { get; set; }
    /// <summary>The input that takes the samples; null = the model's only input.</summary>
    public string? Input { get; set; }
    /// <summary>nchw | nhwc | flat; null = nchw for images, flat for vectors.</summary>
    public string? Layout { get; set; }
    /// <summary>pixel/255 (MiaLab's values as they are) | mean/std ((pixel/255 − mean) / std per
    /// channel) | 0-255 (pixel values, unscaled).</summary>
    public string Scaling { get; set; } = "pixel/255";
    /// <summary>mean/std: one value per channel, or one for all.</summary>
    public double[]? Mean { get; set; }
    public double[]? Std { get; set; }
}

/// <summary>
/// An ONNX classifier: how MiaLab feeds it (<see cref="OnnxInputConfig"/>) and what its output is.
/// The output keys are ordered after the input keys (JsonPropertyOrder), where they were before the
/// input settings had their own class, so configs keep their canonical JSON and SHA-256.
/// </summary>
public class OnnxModelConfig : OnnxInputConfig
{
    /// <summary>logits | probabilities (softmax already applied; MiaLab keeps log p as logits).</summary>
    [JsonPropertyOrder(1)]
    public string Output { get; set; } = "logits";
    /// <summary>The output that gives the classes; null = the model's first output.</summary>
    [JsonPropertyOrder(1)]
    public string? OutputName { get; set; }
}

/// <summary>
/// The target of a black-box audit: the user's own model as ONNX (model 0 of the run, never
/// trained by MiaLab) and, when the auditor knows it, which population samples it trained on.
/// </summary>
public sealed class TargetConfig : OnnxModelConfig
{
    /// <summary>bool NPY [population]: true = the target trained on the sample. Null = unknown:
    /// the run scores the samples, and ROC metrics are not computed.</summary>
    public string? Members { get; set; }
}

public sealed class AttacksConfig
{
    /// <summary>Which models serve as each target's references: all-others | all-but-mate (every model
    /// but the target's complementary mate) | out-k (per sample, exactly out_references models that
    /// did not train on it, and as many that did) | explicit (reference_lists).</summary>
    public string References { get; set; } = "all-others";
    /// <summary>out-k: k, the OUT references per sample.</summary>
    public int OutReferences { get; set; } = 1;
    /// <summary>explicit: each target's reference models, e.g. {"0": [2, 3], "1": [2, 3]}.</summary>
    public Dictionary<string, int[]> ReferenceLists { get; set; } = [];
    /// <summary>Bootstrap resamples for the confidence intervals (0 = none).</summary>
    public int BootstrapResamples { get; set; } = 1000;
    /// <summary>The confidence level of every interval (bootstrap percentile and Clopper–Pearson).</summary>
    public double ConfidenceLevel { get; set; } = 0.95;
    /// <summary>Attack parameters by group, e.g. rmia: {gamma: 1, offline_a: auto}; the attack registry
    /// declares them (`mialab attack --help` lists each with its default and range).</summary>
    public Dictionary<string, Dictionary<string, string>> Parameters { get; set; } = [];
}

/// <summary>
/// The power-law study of fine-tuning vulnerability (Tobaben et al., NeurIPS 2025): a backbone
/// pretrained on some classes of the dataset and then frozen, and for each S and seed a pool of
/// 2·S samples of each fine-tuning class whose features train the config's model (the head) as
/// plan.models heads, each on its plan.scheme subset. A setting's config lists one S and one seed.
/// </summary>
public sealed class PowerLawConfig
{
    /// <summary>S, the examples per class: each pool holds 2·S samples of every class.</summary>
    public int[] Shots { get; set; } = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
    /// <summary>Seeds per S: seed, seed + 1, … (each a new pool, plan, and set of heads).</summary>
    public int Seeds { get; set; } = 3;
    /// <summary>The dataset's classes the heads are fine-tuned on (C = their number).</summary>
    public int[] Classes { get; set; } = [5, 6, 7, 8, 9];
    /// <summary>The feature size the head is built for; 0 = whatever the backbone's point gives.</summary>
    public int HeadInputs { get; set; } = 0;
    public PowerLawBackboneConfig Backbone { get; set; } = new();
}

/// <summary>The frozen feature extractor of the power-law study: a zoo model pretrained on classes
/// disjoint from the fine-tuning ones (or read from a weights file), or a model trained elsewhere as
/// an ONNX file (onnx, with the target section's input settings), whose activations at one capture
/// point are the features (conv maps averaged per channel).</summary>
public sealed class PowerLawBackboneConfig : OnnxModelConfig
{
    /// <summary>cnn | resnet | mlp</summary>
    public string Kind { get; set; } = "cnn";
    /// <summary>CNN / ResNet: channels of each conv stage.</summary>
    public int[] Channels { get; set; } = [16, 32];
    /// <summary>MLP: hidden layer widths.</summary>
    public int[] Hidden { get; set; } = [256];
    /// <summary>The capture point whose activations are the features (e.g. dense of the CNN, stage2 of a two-stage
    /// ResNet); with onnx, a tensor of the ONNX model.</summary>
    public string Point { get; set; } = "dense";
    /// <summary>The dataset's classes the backbone is pretrained on; none may be a fine-tuning class.</summary>
    public int[] Classes { get; set; } = [0, 1, 2, 3, 4];
    /// <summary>Pretraining samples, a seeded subset of those classes' samples; 0 = all of them.</summary>
    public int Samples { get; set; } = 10_000;
    public int Epochs { get; set; } = 5;
    public double LearningRate { get; set; } = 0.05;
    public int BatchSize { get; set; } = 128;
    /// <summary>A weights file of this architecture (e.g. a run's models/model-0000.npz) to use instead of pretraining.
    /// With onnx (inherited: the .onnx file and how it is fed), the ONNX model is the backbone instead; its
    /// output must give one value per backbone class.</summary>
    public string? Weights { get; set; }
}

/// <summary>The image-to-image task: how each sample's (input, target) pair is made. The tasks built
/// from Fashion-MNIST take the dataset section's population and holdout; files reads both arrays.</summary>
public sealed class TaskConfig
{
    /// <summary>edges2image | denoise | inpaint | superres | segment | files</summary>
    public string Kind { get; set; } = "edges2image";
    /// <summary>Side of the target images: the image side (0 = unchanged) or a divisor of it (the target
    /// is averaged over blocks; the U-Net's last layer averages likewise).</summary>
    public int TargetSize { get; set; } = 0;
    /// <summary>edges2image: an input pixel is an edge when its Sobel magnitude is at least this.</summary>
    public double EdgeThreshold { get; set; } = 0.5;
    /// <summary>denoise: standard deviation of the seeded Gaussian noise (input clipped to [0, 1]).</summary>
    public double NoiseStd { get; set; } = 0.3;
    /// <summary>inpaint: side of the square set to 0, placed at a seeded position per sample.</summary>
    public int MaskSize { get; set; } = 12;
    /// <summary>superres: the input is the image averaged over factor×factor blocks (2 or 4), shown at full size.</summary>
    public int Factor { get; set; } = 2;
    /// <summary>segment: a pixel is foreground (target 1) when its value is above this.</summary>
    public double ForegroundThreshold { get; set; } = 0.05;
    /// <summary>files: the inputs, .npy [N, H, W] / [N, C, H, W] (or .npz with an array 'inputs'), in [0, 1] (uint8 is scaled).</summary>
    public string? Inputs { get; set; }
    /// <summary>files: the targets, same count, .npy (or .npz with an array 'targets').</summary>
    public string? Targets { get; set; }
    public PredictabilityConfig Predictability { get; set; } = new();
}

/// <summary>The predictability error (ALGORITHMS.md §10): a backbone's features of the input at four
/// stages on one grid, a ridge fit to the target on a seeded 70% of the positions, the L1 error on the rest.</summary>
public sealed class PredictabilityConfig
{
    /// <summary>Side of the common grid; 0 = the target side, at most 14.</summary>
    public int Grid { get; set; } = 0;
    /// <summary>Share of each sample's grid positions the fit uses (the paper: 0.7).</summary>
    public double FitFraction { get; set; } = 0.7;
    /// <summary>Ridge λ relative to the mean diagonal of the Gram matrix (0 = ordinary least squares).</summary>
    public double Ridge { get; set; } = 1e-3;
    /// <summary>The zoo backbone: a ResNet with these stage widths (stem + three stages = four stages).</summary>
    public int[] BackboneChannels { get; set; } = [8, 16, 32];
    public int BackboneEpochs { get; set; } = 3;
    /// <summary>How many Fashion-MNIST test images it trains on (never the run's holdout).</summary>
    public int BackboneSamples { get; set; } = 2000;
    /// <summary>A backbone trained elsewhere, as ONNX, in place of the zoo one (the three settings above are
    /// then refused); null = the zoo ResNet. Left out of the canonical JSON when null, so older configs keep their SHA-256.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PredictabilityBackboneConfig? Backbone { get; set; }
}

/// <summary>task.predictability.backbone: a pretrained model as an ONNX file, fed as every ONNX section is
/// (<see cref="OnnxInputConfig"/>: input, layout, scaling, mean, std), whose feature maps [batch, C, H, W]
/// at four named tensors are the predictability score's four stages. Its output is not read.</summary>
public sealed class PredictabilityBackboneConfig : OnnxInputConfig
{
    /// <summary>Exactly four tensor names of the model, whose activations are feature maps [batch, C, H, W].</summary>
    public string[] Stages { get; set; } = [];
}
