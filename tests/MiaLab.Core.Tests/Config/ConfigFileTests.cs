using MiaLab.Core.Config;

namespace MiaLab.Core.Tests.Config;

public sealed class ConfigFileTests
{
    // The test binaries may live outside the repository (--artifacts-path): find examples/
    // from this source file's location instead.
    private static string Examples([System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        for (var dir = new FileInfo(here).Directory; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "examples");
            if (File.Exists(Path.Combine(dir.FullName, "MiaLab.slnx")) && Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("examples/ beside MiaLab.slnx");
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing here\n")]
    [InlineData("~\n")]
    public void AnEmptyConfigIsAnErrorNotTheRawDefaults(string text)
    {
        // The raw defaults (60,000 samples, 16 models) are not even the built-in audit: an empty file is a mistake.
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse(text, "empty.yaml"));
        Assert.Contains("empty.yaml: the config is empty", e.Message);
    }

    [Fact]
    public void AnUnclosedFlowSequenceIsOneLine()
    {
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse("model:\n  hidden: [32\n  kind: mlp\nseed: 3\n", "broken.yaml"));
        Assert.StartsWith("broken.yaml: not valid YAML or JSON", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LoadsYaml()
    {
        const string yaml = """
            seed: 7
            dataset:
              source: synthetic
              holdout: 50
              synthetic: { samples: 500, features: 8, classes: 3, separation: 2.5 }
            plan:
              models: 4
              scheme: complementary-pairs
            model:
              hidden: [64, 32]
              dropout: 0.25
            training:
              optimizer: adam
              learning_rate: 1e-3
              models_per_pass: 2
              augment_flip: true
            query:
              augmentations: [identity]
            """;
        var c = ConfigFile.Parse(yaml, "x.yaml");
        Assert.Equal(7, c.Seed);
        Assert.Equal("synthetic", c.Dataset.Source);
        Assert.Equal(50, c.Dataset.Holdout);
        Assert.Equal(500, c.Dataset.Synthetic.Samples);
        Assert.Equal(2.5, c.Dataset.Synthetic.Separation);
        Assert.Equal(4, c.Plan.Models);
        Assert.Equal("complementary-pairs", c.Plan.Scheme);
        Assert.Equal([64, 32], c.Model.Hidden);
        Assert.Equal(0.25, c.Model.Dropout);
        Assert.Equal("adam", c.Training.Optimizer);
        Assert.Equal(1e-3, c.Training.LearningRate);
        Assert.Equal(2, c.Training.ModelsPerPass);
        Assert.True(c.Training.AugmentFlip);
        Assert.Equal(["identity"], c.Query.Augmentations!);
        // Untouched keys keep their defaults.
        Assert.Equal(new TrainingConfig().Epochs, c.Training.Epochs);
        Assert.Equal("mlp", c.Model.Kind);
    }

    [Fact]
    public void LoadsJsonFromAFile()
    {
        string dir = Directory.CreateTempSubdirectory("mialab-config-").FullName;
        try
        {
            string path = Path.Combine(dir, "run.json");
            File.WriteAllText(path, "{\n\t\"seed\": 3,\n\t\"plan\": {\"models\": 8},\n\t\"dataset\": {\"source\": \"npz\", \"path\": \"data/x.npz\"}\n}\n");
            var c = ConfigFile.Load(path);
            Assert.Equal(3, c.Seed);
            Assert.Equal(8, c.Plan.Models);
            Assert.Equal("data/x.npz", c.Dataset.Path);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void MissingFileIsAnInputError()
    {
        var e = Assert.Throws<InputException>(() => ConfigFile.Load("/nonexistent/mialab/run.yaml"));
        Assert.Contains("/nonexistent/mialab/run.yaml", e.Message);
    }

    [Fact]
    public void UnknownKeyNamesKeySectionFileAndLine()
    {
        const string yaml = "seed: 1\ntraining:\n  epochs: 3\n  learnin_rate: 0.1\n";
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse(yaml, "my.yaml"));
        Assert.StartsWith("my.yaml: unknown key 'learnin_rate' in 'training' (line 4)", e.Message);
        Assert.Contains("did you mean 'learning_rate'?", e.Message);
        Assert.Contains("known keys: optimizer, learning_rate,", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownTopLevelKey()
    {
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse("{\"seeds\": 1}", "cfg.json"));
        Assert.Contains("cfg.json: unknown key 'seeds' at the top level (line 1)", e.Message);
        Assert.Contains("known keys: seed, dataset, plan, model, training, query", e.Message);
    }

    [Fact]
    public void WrongValueTypesNameFileKeyAndLine()
    {
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse("training:\n  epochs: abc\n", "t.yaml"));
        Assert.Equal("t.yaml: training.epochs must be an integer, got 'abc' (line 2)", e.Message);

        e = Assert.Throws<InputException>(() => ConfigFile.Parse("model:\n  hidden: 32\n", "t.yaml"));
        Assert.Contains("model.hidden must be a list", e.Message);

        e = Assert.Throws<InputException>(() => ConfigFile.Parse("model:\n  hidden: [32, x]\n", "t.yaml"));
        Assert.Contains("model.hidden[1] must be an integer, got 'x' (line 2)", e.Message);

        e = Assert.Throws<InputException>(() => ConfigFile.Parse("training:\n  augment_flip: maybe\n", "t.yaml"));
        Assert.Contains("training.augment_flip must be true or false", e.Message);

        e = Assert.Throws<InputException>(() => ConfigFile.Parse("plan: 4\n", "t.yaml"));
        Assert.Contains("plan must be a section of keys", e.Message);

        e = Assert.Throws<InputException>(() => ConfigFile.Parse("training:\n  learning_rate: .nan\n", "t.yaml"));
        Assert.Contains("training.learning_rate must be a number", e.Message);

        e = Assert.Throws<InputException>(() => ConfigFile.Parse("- 1\n- 2\n", "t.yaml"));
        Assert.Contains("t.yaml: the top level must be a mapping", e.Message);
    }

    [Fact]
    public void SyntaxErrorsAndDuplicatesAreInputErrors()
    {
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse("plan: {models: 4\n", "bad.yaml"));
        Assert.StartsWith("bad.yaml: ", e.Message);
        e = Assert.Throws<InputException>(() => ConfigFile.Parse("seed: 1\nseed: 2\n", "dup.yaml"));
        Assert.StartsWith("dup.yaml: ", e.Message);
    }

    [Fact]
    public void NullValues()
    {
        var c = ConfigFile.Parse("dataset:\n  source: npz\n  path: a.npz\n  label_column: ~\ntraining:\n", "n.yaml");
        Assert.Null(c.Dataset.LabelColumn);
        Assert.Equal(new TrainingConfig().Epochs, c.Training.Epochs); // an empty section keeps the defaults
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse("dataset:\n  source: null\n", "n.yaml"));
        Assert.Contains("dataset.source needs a value", e.Message);
    }

    [Theory]
    [InlineData("plan:\n  models: 1", "plan.models must be at least 2 (got 1)")]
    [InlineData("training:\n  optimizer: rmsprop", "training.optimizer must be one of sgd, adam (got 'rmsprop')")]
    [InlineData("training:\n  schedule: linear", "training.schedule must be one of constant, step, cosine")]
    [InlineData("model:\n  kind: vit", "model.kind must be one of mlp, cnn, resnet, mint-paper-cnn")]
    [InlineData("model:\n  activation: gelu", "model.activation must be one of relu, tanh")]
    [InlineData("plan:\n  scheme: thirds", "plan.scheme must be one of balanced, random-halves, complementary-pairs")]
    [InlineData("dataset:\n  source: cifar", "dataset.source must be one of fashion-mnist, synthetic, npz, csv, idx")]
    [InlineData("query:\n  augmentations: [hflip]", "query.augmentations must start with identity")]
    [InlineData("query:\n  augmentations: [identity, rotate]", "query.augmentations[1] must be one of identity, hflip")]
    [InlineData("query:\n  augmentations: []", "query.augmentations must list at least identity")]
    [InlineData("training:\n  epochs: 0", "training.epochs must be at least 1 (got 0)")]
    [InlineData("training:\n  batch_size: 0", "training.batch_size must be at least 1 (got 0)")]
    [InlineData("training:\n  models_per_pass: 0", "training.models_per_pass must be at least 1 (got 0)")]
    [InlineData("model:\n  dropout: 1.0", "model.dropout must be in [0, 1) (got 1)")]
    [InlineData("training:\n  label_smoothing: -0.1", "training.label_smoothing must be in [0, 1) (got -0.1)")]
    [InlineData("training:\n  learning_rate: 0", "training.learning_rate must be a finite number > 0 (got 0)")]
    [InlineData("dataset:\n  source: idx\n  path: images.idx", "dataset.labels_path is required when dataset.source is idx")]
    [InlineData("dataset:\n  source: csv", "dataset.path is required when dataset.source is csv")]
    [InlineData("dataset:\n  holdout: -1", "dataset.holdout must be at least 0 (got -1)")]
    [InlineData("model:\n  hidden: [32, 0]", "model.hidden[1] must be at least 1 (got 0)")]
    [InlineData("training:\n  loss: hinge", "training.loss must be one of cross-entropy, focal, cosface, arcface")]
    [InlineData("training:\n  loss: cosface", "training.loss cosface needs model.classifier cosine")]
    [InlineData("model:\n  classifier: arc", "model.classifier must be one of linear, cosine")]
    [InlineData("training:\n  repeat_times: 0", "training.repeat_times must be at least 1 (got 0)")]
    [InlineData("training:\n  repeat_fraction: 1.5", "training.repeat_fraction must be in [0, 1] (got 1.5)")]
    [InlineData("dataset:\n  population_select: last", "dataset.population_select must be one of random, first (got 'last')")]
    [InlineData("dataset:\n  holdout_path: t.npz", "dataset.holdout_path is for the npz, csv and idx sources, not fashion-mnist")]
    [InlineData("dataset:\n  source: idx\n  path: a\n  labels_path: b\n  holdout_path: c", "dataset.holdout_labels_path is required with dataset.holdout_path")]
    [InlineData("training:\n  final_lr_fraction: 1", "training.final_lr_fraction must be in [0, 1) (got 1)")]
    [InlineData("training:\n  schedule: step\n  final_lr_fraction: 0.1", "training.final_lr_fraction applies to the cosine schedule, not to step")]
    [InlineData("attacks:\n  parameters:\n    rmia:\n      gamma: 0", "attacks.parameters.rmia.gamma must be > 0 (got '0')")]
    [InlineData("attacks:\n  parameters:\n    rmia:\n      offline_a: 1.2", "attacks.parameters.rmia.offline_a must be in [0, 1] or auto (got '1.2')")]
    [InlineData("attacks:\n  parameters:\n    lira:\n      variance: pooled", "attacks.parameters.lira.variance must be one of per-sample, global, auto (got 'pooled')")]
    [InlineData("attacks:\n  parameters:\n    rmia:\n      gama: 1", "attacks.parameters.rmia.gama is not a parameter")]
    [InlineData("attacks:\n  references: thirds", "attacks.references must be one of all-others, all-but-mate, out-k, explicit (got 'thirds')")]
    [InlineData("attacks:\n  references: out-k\n  out_references: 0", "attacks.out_references must be at least 1 (got 0)")]
    [InlineData("attacks:\n  references: explicit\n  reference_lists:\n    '2': [2, 3]", "attacks.reference_lists.2 names the target 2 itself")]
    [InlineData("attacks:\n  references: explicit", "attacks.references explicit needs attacks.reference_lists")]
    [InlineData("attacks:\n  reference_lists:\n    '0': [1]", "attacks.reference_lists applies to attacks.references explicit, not all-others")]
    [InlineData("attacks:\n  confidence_level: 1", "attacks.confidence_level must be in (0, 1) (got 1)")]
    [InlineData("attacks:\n  bootstrap_resamples: -1", "attacks.bootstrap_resamples must be between 0 and 100000 (got -1)")]
    [InlineData("training:\n  loss: focal\n  label_smoothing: 0.1", "training.label_smoothing applies to cross-entropy, cosface and arcface, not to focal")]
    [InlineData("plan:\n  scheme: coin", "plan.scheme must be one of balanced, random-halves, complementary-pairs, bernoulli")]
    [InlineData("power_law:\n  shots: [1, 0, 4]", "power_law.shots[1] must be at least 1 (got 0)")]
    [InlineData("power_law:\n  shots: [1, 4, 4]", "power_law.shots lists 4 twice")]
    [InlineData("power_law:\n  shots: []", "power_law.shots must list at least one S")]
    [InlineData("power_law:\n  seeds: 0", "power_law.seeds must be at least 1 (got 0)")]
    [InlineData("power_law:\n  classes: [5]", "power_law.classes must list at least two classes")]
    [InlineData("power_law:\n  classes: [3, 4, 5]", "power_law.backbone.classes and power_law.classes share class 3, 4")]
    [InlineData("power_law:\n  head_inputs: -1", "power_law.head_inputs must be at least 0 (got -1)")]
    [InlineData("power_law:\n  backbone:\n    kind: vit", "power_law.backbone.kind must be one of mlp, cnn, resnet")]
    [InlineData("power_law:\n  backbone:\n    channels: []", "power_law.backbone.channels must list at least one stage for kind cnn")]
    [InlineData("power_law:\n  backbone:\n    point: ''", "power_law.backbone.point must name a capture point")]
    [InlineData("power_law:\n  backbone:\n    epochs: 0", "power_law.backbone.epochs must be at least 1 (got 0)")]
    [InlineData("power_law:\n  backbone:\n    onnx: b.onnx\n    weights: w.npz", "power_law.backbone gives both weights and onnx")]
    [InlineData("power_law:\n  backbone:\n    scaling: 0-255", "power_law.backbone.input, layout, scaling, mean, std, output and output_name apply to an ONNX backbone")]
    [InlineData("power_law:\n  backbone:\n    onnx: b.onnx\n    scaling: mean/std", "power_law.backbone.scaling mean/std needs power_law.backbone.mean")]
    [InlineData("power_law:\n  backbone:\n    learning_rate: -1", "power_law.backbone.learning_rate must be a finite number > 0")]
    public void ValidationNamesTheKeyPath(string yaml, string expected)
    {
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse(yaml, "v.yaml"));
        Assert.StartsWith("v.yaml: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>An image-to-image config whose task.predictability section ends with <paramref name="predictability"/>.</summary>
    private static string UNetConfig(string predictability) =>
        "model:\n  kind: unet\n  channels: [4, 8]\ntraining:\n  loss: l1\ntask:\n  kind: edges2image\n  predictability:\n" +
        string.Concat(predictability.Split('\n').Select(l => $"    {l}\n"));

    [Theory]
    [InlineData("backbone:\n  stages: [a, b, c, d]", "task.predictability.backbone.onnx is required")]
    [InlineData("backbone:\n  onnx: b.onnx\n  stages: [a, b, c]", "task.predictability.backbone.stages must name exactly 4 tensors of the model, the stages whose feature maps are resized to the grid (got 3)")]
    [InlineData("backbone:\n  onnx: b.onnx\n  stages: [a, b, c, d, e]", "task.predictability.backbone.stages must name exactly 4 tensors of the model, the stages whose feature maps are resized to the grid (got 5)")]
    [InlineData("backbone:\n  onnx: b.onnx", "task.predictability.backbone.stages must name exactly 4 tensors")]
    [InlineData("backbone:\n  onnx: b.onnx\n  stages: [a, b, a, d]", "task.predictability.backbone.stages lists 'a' twice")]
    [InlineData("backbone_epochs: 1\nbackbone:\n  onnx: b.onnx\n  stages: [a, b, c, d]", "backbone_channels, backbone_epochs and backbone_samples describe the zoo backbone, which task.predictability.backbone (b.onnx) replaces")]
    [InlineData("backbone:\n  onnx: b.onnx\n  stages: [a, b, c, d]\n  scaling: mean/std", "task.predictability.backbone.scaling mean/std needs task.predictability.backbone.mean")]
    [InlineData("backbone:\n  onnx: b.onnx\n  stages: [a, b, c, d]\n  layout: sideways", "task.predictability.backbone.layout must be one of nchw, nhwc, flat")]
    [InlineData("backbone:\n  onnx: b.onnx\n  stages: [a, b, c, d]\n  output: logits", "unknown key 'output'")]
    public void APredictabilityBackboneIsCheckedWithEveryOnnxSectionsInputSettings(string predictability, string expected)
    {
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse(UNetConfig(predictability), "v.yaml"));
        Assert.StartsWith("v.yaml: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AnOnnxPredictabilityBackboneReadsAndRoundTrips()
    {
        var c = ConfigFile.Parse(UNetConfig("backbone:\n  onnx: b.onnx\n  stages: [s1, s2, s3, s4]\n  layout: nhwc\n  scaling: mean/std\n  mean: [0.5]\n  std: [0.25]"), "p.yaml");
        var b = c.Task!.Predictability.Backbone!;
        Assert.Equal(["s1", "s2", "s3", "s4"], b.Stages);
        Assert.Equal("nhwc", b.Layout);
        Assert.Equal([0.25], b.Std!);
        Assert.Equal(ConfigFile.ToJson(c), ConfigFile.ToJson(ConfigFile.Clone(c)));
        // Without one, the section stays out of the canonical form: older image-to-image configs keep their SHA-256.
        var zoo = ConfigFile.Parse(UNetConfig("grid: 14"), "z.yaml");
        using var json = System.Text.Json.JsonDocument.Parse(ConfigFile.ToJson(zoo));
        Assert.False(json.RootElement.GetProperty("task").GetProperty("predictability").TryGetProperty("backbone", out _));
    }

    /// <summary>The ONNX sections' keys, in the order of the canonical JSON before the input settings had their own
    /// class (read from a manifest.json written then): moving them must not change any config's SHA-256.</summary>
    [Fact]
    public void TheOnnxSectionsKeepTheirKeyOrderInTheCanonicalJson()
    {
        var c = new RunConfig { Target = new TargetConfig { Onnx = "t.onnx" } };
        using var json = System.Text.Json.JsonDocument.Parse(ConfigFile.ToJson(c));
        var backbone = json.RootElement.GetProperty("power_law").GetProperty("backbone").EnumerateObject().Select(p => p.Name);
        Assert.Equal(["kind", "channels", "hidden", "point", "classes", "samples", "epochs", "learning_rate", "batch_size", "weights",
            "onnx", "input", "layout", "scaling", "mean", "std", "output", "output_name"], backbone);
        var target = json.RootElement.GetProperty("target").EnumerateObject().Select(p => p.Name);
        Assert.Equal(["members", "onnx", "input", "layout", "scaling", "mean", "std", "output", "output_name"], target);
    }

    [Fact]
    public void TheAttacksSectionReadsAndRoundTrips()
    {
        var c = ConfigFile.Parse("attacks:\n  references: out-k\n  out_references: 2\n  confidence_level: 0.9\n" +
            "  parameters:\n    rmia:\n      gamma: 1\n      offline_a: auto\n    lira:\n      variance: global\n", "a.yaml");
        Assert.Equal("out-k", c.Attacks.References);
        Assert.Equal(2, c.Attacks.OutReferences);
        Assert.Equal(0.9, c.Attacks.ConfidenceLevel);
        Assert.Equal("auto", c.Attacks.Parameters["rmia"]["offline_a"]);
        Assert.Equal(ConfigFile.ToJson(c), ConfigFile.ToJson(ConfigFile.Clone(c)));
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse("attacks:\n  parameters:\n    rmia: 3\n", "b.yaml"));
        Assert.Contains("attacks.parameters.rmia must be a section of keys", e.Message);
    }

    [Fact]
    public void ValidateOnAnObjectHasNoFilePrefix()
    {
        var c = new RunConfig();
        c.Plan.Models = 1;
        var e = Assert.Throws<InputException>(() => ConfigFile.Validate(c));
        Assert.Equal("plan.models must be at least 2 (got 1)", e.Message);
        ConfigFile.Validate(new RunConfig());
    }

    [Fact]
    public void RoundTripThroughCanonicalJson()
    {
        var c = new RunConfig { Seed = -12 };
        c.Dataset.Source = "idx";
        c.Dataset.Path = "imgs/train-images-idx3-ubyte";
        c.Dataset.LabelsPath = "imgs/train-labels \"quoted\" é\\x";
        c.Dataset.Population = 1000;
        c.Model.Hidden = [];
        c.Model.Dropout = 0.1;
        c.Training.LearningRate = 0.1 + 0.2; // not a short decimal
        c.Training.StepGamma = 1.0 / 3.0;
        c.Query.Augmentations = ["identity"];
        string json = ConfigFile.ToJson(c);
        Assert.Contains("\"learning_rate\":", json);
        Assert.Contains("\"labels_path\":", json);
        Assert.DoesNotContain("\r", json);
        var back = ConfigFile.Parse(json, "canonical.json");
        Assert.Equal(json, ConfigFile.ToJson(back));
        Assert.Equal(0.1 + 0.2, back.Training.LearningRate);
        Assert.Equal(c.Dataset.LabelsPath, back.Dataset.LabelsPath);
        Assert.Empty(back.Model.Hidden);
    }

    [Fact]
    public void Sha256IsStableAndChangesWithAnyField()
    {
        string baseSha = ConfigFile.Sha256(new RunConfig());
        Assert.Equal(baseSha, ConfigFile.Sha256(new RunConfig()));
        Assert.Matches("^[0-9a-f]{64}$", baseSha);

        var seen = new HashSet<string> { baseSha };
        foreach (var mutate in Mutations())
        {
            var c = new RunConfig();
            mutate(c);
            Assert.True(seen.Add(ConfigFile.Sha256(c)), "a field change did not change the SHA-256");
        }
    }

    private static IEnumerable<Action<RunConfig>> Mutations()
    {
        yield return c => c.Seed = 1;
        yield return c => c.Dataset.Source = "synthetic";
        yield return c => c.Dataset.Path = "p";
        yield return c => c.Dataset.LabelsPath = "l";
        yield return c => c.Dataset.LabelColumn = "y";
        yield return c => c.Dataset.Population = 10;
        yield return c => c.Dataset.Holdout = 10;
        yield return c => c.Dataset.PopulationSelect = "first";
        yield return c => c.Dataset.HoldoutPath = "h";
        yield return c => c.Dataset.HoldoutLabelsPath = "hl";
        yield return c => c.Dataset.Synthetic.Samples = 10;
        yield return c => c.Dataset.Synthetic.Features = 2;
        yield return c => c.Dataset.Synthetic.Classes = 2;
        yield return c => c.Dataset.Synthetic.Separation = 1;
        yield return c => c.Plan.Models = 4;
        yield return c => c.Plan.Scheme = "complementary-pairs";
        yield return c => c.Model.Kind = "cnn";
        yield return c => c.Model.Hidden = [512];
        yield return c => c.Model.Activation = "tanh";
        yield return c => c.Model.Dropout = 0.5;
        yield return c => c.Model.Channels = [32];
        yield return c => c.Model.BlocksPerStage = 2;
        yield return c => c.Model.Classifier = "cosine";
        yield return c => c.Model.CosineScale = 30;
        yield return c => c.Training.Optimizer = "adam";
        yield return c => c.Training.LearningRate = 0.01;
        yield return c => c.Training.Momentum = 0;
        yield return c => c.Training.WeightDecay = 5e-4;
        yield return c => c.Training.Epochs = 2;
        yield return c => c.Training.BatchSize = 64;
        yield return c => c.Training.Schedule = "step";
        yield return c => c.Training.FinalLrFraction = 0.1;
        yield return c => c.Training.WarmupEpochs = 1;
        yield return c => c.Training.StepEpochs = 5;
        yield return c => c.Training.StepGamma = 0.5;
        yield return c => c.Training.LabelSmoothing = 0.1;
        yield return c => c.Training.AugmentFlip = true;
        yield return c => c.Training.AugmentShift = 2;
        yield return c => c.Training.ModelsPerPass = 4;
        yield return c => c.Training.Loss = "focal";
        yield return c => c.Training.FocalGamma = 1;
        yield return c => c.Training.CosfaceMargin = 0.2;
        yield return c => c.Training.ArcfaceMargin = 0.3;
        yield return c => c.Training.RepeatFraction = 0.25;
        yield return c => c.Training.RepeatTimes = 10;
        yield return c => c.Query.Augmentations = ["identity"];
        yield return c => c.Task = new TaskConfig { Kind = "denoise" };
        yield return c => c.Task = new TaskConfig { TargetSize = 14 };
        yield return c => c.Task = new TaskConfig { EdgeThreshold = 0.3 };
        yield return c => c.Task = new TaskConfig { NoiseStd = 0.1 };
        yield return c => c.Task = new TaskConfig { MaskSize = 8 };
        yield return c => c.Task = new TaskConfig { Factor = 4 };
        yield return c => c.Task = new TaskConfig { ForegroundThreshold = 0.2 };
        yield return c => c.Task = new TaskConfig { Inputs = "x.npy" };
        yield return c => c.Task = new TaskConfig { Targets = "y.npy" };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Grid = 7 } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { FitFraction = 0.5 } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Ridge = 0 } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { BackboneChannels = [4, 8, 16] } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { BackboneEpochs = 1 } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { BackboneSamples = 100 } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Backbone = new() { Onnx = "b.onnx", Stages = ["a", "b", "c", "d"] } } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Backbone = new() { Onnx = "b.onnx", Stages = ["a", "b", "c", "e"] } } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Backbone = new() { Onnx = "b.onnx", Stages = ["a", "b", "c", "d"], Input = "x" } } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Backbone = new() { Onnx = "b.onnx", Stages = ["a", "b", "c", "d"], Layout = "nhwc" } } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Backbone = new() { Onnx = "b.onnx", Stages = ["a", "b", "c", "d"], Scaling = "0-255" } } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Backbone = new() { Onnx = "b.onnx", Stages = ["a", "b", "c", "d"], Mean = [0.5] } } };
        yield return c => c.Task = new TaskConfig { Predictability = new PredictabilityConfig { Backbone = new() { Onnx = "b.onnx", Stages = ["a", "b", "c", "d"], Std = [0.5] } } };
        yield return c => c.Attacks.References = "all-but-mate";
        yield return c => c.Attacks.OutReferences = 2;
        yield return c => c.Attacks.ReferenceLists = new() { ["0"] = [1] };
        yield return c => c.Attacks.BootstrapResamples = 10;
        yield return c => c.Attacks.ConfidenceLevel = 0.9;
        yield return c => c.Attacks.Parameters = new() { ["rmia"] = new() { ["gamma"] = "1" } };
        yield return c => c.PowerLaw.Shots = [1, 2, 3];
        yield return c => c.PowerLaw.Seeds = 2;
        yield return c => c.PowerLaw.Classes = [5, 6];
        yield return c => c.PowerLaw.HeadInputs = 128;
        yield return c => c.PowerLaw.Backbone.Kind = "resnet";
        yield return c => c.PowerLaw.Backbone.Channels = [8];
        yield return c => c.PowerLaw.Backbone.Hidden = [64];
        yield return c => c.PowerLaw.Backbone.Point = "conv2";
        yield return c => c.PowerLaw.Backbone.Classes = [0, 1];
        yield return c => c.PowerLaw.Backbone.Samples = 100;
        yield return c => c.PowerLaw.Backbone.Epochs = 2;
        yield return c => c.PowerLaw.Backbone.LearningRate = 0.1;
        yield return c => c.PowerLaw.Backbone.BatchSize = 64;
        yield return c => c.PowerLaw.Backbone.Weights = "w.npz";
        yield return c => c.PowerLaw.Backbone.Onnx = "b.onnx";
        yield return c => c.PowerLaw.Backbone.Input = "x";
        yield return c => c.PowerLaw.Backbone.Layout = "nhwc";
        yield return c => c.PowerLaw.Backbone.Scaling = "0-255";
        yield return c => c.PowerLaw.Backbone.Mean = [0.5];
        yield return c => c.PowerLaw.Backbone.Std = [0.5];
        yield return c => c.PowerLaw.Backbone.Output = "probabilities";
        yield return c => c.PowerLaw.Backbone.OutputName = "y";
        yield return c => c.Defense.Kind = "dp-sgd";
        yield return c => c.Defense.SmoothingSigma = 0.01;
        yield return c => c.Defense.NoiseMultiplier = 1;
        yield return c => c.Defense.TargetEpsilon = 8;
        yield return c => c.Defense.MaxGradNorm = 2;
        yield return c => c.Defense.SampleRate = 0.01;
        yield return c => c.Defense.Delta = 1e-6;
        yield return c => c.Defense.Accountant = "prv";
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx" };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", Input = "x" };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", Layout = "nhwc" };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", Scaling = "0-255" };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", Mean = [0.5] };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", Std = [0.5] };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", Output = "probabilities" };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", OutputName = "y" };
        yield return c => c.Target = new TargetConfig { Onnx = "m.onnx", Members = "members.npy" };
    }

    [Fact]
    public void DefenseSectionsValidate()
    {
        var dp = ConfigFile.Parse("defense:\n  kind: dp-sgd\n  target_epsilon: 4\n  sample_rate: 0.02\n", "dp.yaml");
        Assert.Equal(4, dp.Defense.TargetEpsilon);
        Assert.Null(dp.Defense.NoiseMultiplier);
        var ws = ConfigFile.Parse("defense:\n  kind: weighted-smoothing\n  smoothing_sigma: 0.05\n", "ws.yaml");
        Assert.Equal(0.05, ws.Defense.SmoothingSigma);
        // A round trip through the canonical JSON keeps the optional numbers unset.
        Assert.Null(ConfigFile.Clone(ws).Defense.NoiseMultiplier);
        foreach (var (yaml, named) in new[]
        {
            ("defense:\n  kind: dp-sgd\n  sample_rate: 0.02\n", "exactly one of"),
            ("defense:\n  kind: dp-sgd\n  noise_multiplier: 1\n  target_epsilon: 2\n  sample_rate: 0.02\n", "exactly one of"),
            ("defense:\n  kind: dp-sgd\n  noise_multiplier: 1\n", "sample_rate"),
            ("defense:\n  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 0.02\n  accountant: moments\n", "defense.accountant"),
            ("defense:\n  kind: weighted-smoothing\n  noise_multiplier: 1\n", "apply to defense.kind dp-sgd"),
            ("defense:\n  kind: none\n  smoothing_sigma: 0.1\n", "smoothing_sigma applies"),
        })
            Assert.Contains(named, Assert.Throws<InputException>(() => ConfigFile.Parse(yaml, "x.yaml")).Message);
    }

    [Fact]
    public void The_device_is_where_a_run_computes_not_what_it_is()
    {
        // A run planned on a CPU machine can be filled by GPU nodes: the device leaves the SHA alone.
        Assert.Equal(ConfigFile.Sha256(new RunConfig()), ConfigFile.Sha256(new RunConfig { Device = "cuda" }));
        Assert.DoesNotContain("device", ConfigFile.ToJson(new RunConfig { Device = "cuda" }));
        Assert.Equal("cuda", ConfigFile.Clone(new RunConfig { Device = "cuda" }).Device);
        Assert.Equal("cuda", ConfigFile.Parse("device: cuda", "c.yaml").Device);
        var e = Assert.Throws<InputException>(() => ConfigFile.Parse("device: tpu", "c.yaml"));
        Assert.Equal("c.yaml: device must be one of cpu, cuda (got 'tpu')", e.Message);
    }

    [Fact]
    public void A_config_without_a_target_keeps_the_canonical_form_it_had()
    {
        // Run directories made before the target section existed still match their config.
        Assert.DoesNotContain("\"target\":", ConfigFile.ToJson(new RunConfig())); // the key, not defense.target_epsilon
        Assert.Contains("\"target\":", ConfigFile.ToJson(new RunConfig { Target = new TargetConfig { Onnx = "m.onnx" } }));
    }

    [Fact]
    public void MutationsCoverEveryProperty()
    {
        // Guards the SHA test above: a property added to the config must get a mutation too.
        int leaves = CountLeaves(typeof(RunConfig));
        Assert.Equal(leaves, Mutations().Count());
    }

    // The device is left out of the canonical form on purpose (see the test above).
    private static int CountLeaves(Type t) => t.GetProperties().Where(p => p.Name != nameof(RunConfig.Device)).Sum(p =>
        p.PropertyType.IsClass && p.PropertyType != typeof(string) && !p.PropertyType.IsArray && !p.PropertyType.IsGenericType
            ? CountLeaves(p.PropertyType) : 1);

    [Fact]
    public void ExamplesLoadAndValidate()
    {
        var fm = ConfigFile.Load(Path.Combine(Examples(), "fashion-mnist.yaml"));
        Assert.Equal(ConfigFile.ToJson(RunConfig.BuiltInAudit()), ConfigFile.ToJson(fm)); // the built-in audit spelled out

        var tiny = ConfigFile.Load(Path.Combine(Examples(), "synthetic-tiny.yaml"));
        Assert.Equal("synthetic", tiny.Dataset.Source);
        Assert.Equal(600, tiny.Dataset.Synthetic.Samples);
        Assert.Equal(10, tiny.Dataset.Synthetic.Features);
        Assert.Equal(3, tiny.Dataset.Synthetic.Classes);
        Assert.Equal(100, tiny.Dataset.Holdout);
        Assert.Equal(8, tiny.Plan.Models);
        Assert.Equal([32], tiny.Model.Hidden);
        Assert.Equal(20, tiny.Training.Epochs);
        Assert.Equal(32, tiny.Training.BatchSize);
        Assert.Equal(["identity"], tiny.Query.Augmentations!);
    }

    [Fact]
    public void CloneIsDeep()
    {
        var c = new RunConfig();
        var d = ConfigFile.Clone(c);
        d.Model.Hidden[0] = 1;
        Assert.Equal(512, c.Model.Hidden[0]);
    }
}
