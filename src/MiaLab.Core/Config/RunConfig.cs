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

    /// <summary>The built-in audit (examples/fashion-mnist.yaml spells it out): 16 MLPs, each
    /// trained on a random half of 20,000 Fashion-MNIST images, with 5,000 test images as the
    /// holdout split; sized to run in under 10 minutes on 2 cores.</summary>
    public static RunConfig BuiltInAudit()
    {
        var config = new RunConfig();
        config.Dataset.Population = 20_000;
        config.Dataset.Holdout = 5_000;
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
    /// <summary>Size of the population (a seeded subsample of the training data); 0 = all of it.</summary>
    public int Population { get; set; } = 0;
    /// <summary>Size of the extra split no model trains on (fashion-mnist: from its test set; others: held out of the data); 0 = none.</summary>
    public int Holdout { get; set; } = 0;
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
    /// <summary>random-halves | complementary-pairs</summary>
    public string Scheme { get; set; } = "random-halves";
}

public sealed class ModelConfig
{
    /// <summary>mlp | cnn | resnet</summary>
    public string Kind { get; set; } = "mlp";
    /// <summary>MLP hidden layer widths.</summary>
    public int[] Hidden { get; set; } = [512, 256];
    /// <summary>relu | tanh (MLP).</summary>
    public string Activation { get; set; } = "relu";
    public double Dropout { get; set; } = 0.0;
    /// <summary>CNN / ResNet: channels of each conv stage.</summary>
    public int[] Channels { get; set; } = [32, 64];
    /// <summary>ResNet: residual blocks per stage.</summary>
    public int BlocksPerStage { get; set; } = 1;
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
    public int WarmupEpochs { get; set; } = 0;
    /// <summary>step schedule: multiply the rate by StepGamma every StepEpochs epochs.</summary>
    public int StepEpochs { get; set; } = 10;
    public double StepGamma { get; set; } = 0.1;
    public double LabelSmoothing { get; set; } = 0.0;
    /// <summary>Random horizontal flip of training images.</summary>
    public bool AugmentFlip { get; set; } = false;
    /// <summary>Random shift of training images by up to this many pixels (zero fill).</summary>
    public int AugmentShift { get; set; } = 0;
    /// <summary>How many models train together in one batched pass.</summary>
    public int ModelsPerPass { get; set; } = 16;
}

public sealed class QueryConfig
{
    /// <summary>Query augmentations, in order: identity | hflip. Images default to both; vectors use identity only.</summary>
    public string[] Augmentations { get; set; } = ["identity", "hflip"];
}
