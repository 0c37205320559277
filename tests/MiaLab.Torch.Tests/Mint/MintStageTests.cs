using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Torch.Tests.Mint;

/// <summary>MINT over a real (tiny) run directory: train, write, load, score new data.</summary>
public sealed class MintRunFixture
{
    public RunDirectory Run { get; }
    public RunData Data { get; }

    public MintRunFixture()
    {
        var config = new RunConfig
        {
            Seed = 5,
            Dataset = new DatasetConfig { Source = "synthetic", Holdout = 60, Synthetic = new SyntheticConfig { Samples = 260, Features = 12, Classes = 3, Separation = 2.0 } },
            Plan = new PlanConfig { Models = 2 },
            Model = new ModelConfig { Kind = "mlp", Hidden = [16] },
            Training = new TrainingConfig { Optimizer = "adam", LearningRate = 0.01, Epochs = 5, BatchSize = 50 },
            Query = new QueryConfig { Augmentations = ["identity"] },
        };
        (Run, Data) = PlanStage.Prepare(config, MintTestData.TempDirectory());
        TrainStage.Run(Run, config, Data);
    }
}

public class MintStageTests(MintRunFixture fixture) : IClassFixture<MintRunFixture>
{
    private static MintOptions Quick(string detector = "vanilla") =>
        new(detector, BootstrapResamples: 50, Seed: 5, Training: new MintTrainingOptions { Epochs = 3, Seed = 1 });

    [Fact]
    public void TrainingWritesActivationsDetectorAndMetricsThatTestCanReuse()
    {
        var run = fixture.Run;
        var r = MintStage.Train(run, 1, Quick(), data: fixture.Data);
        // The run has a holdout of 60, so E is the holdout; D is model 1's training set (about half of the 200-sample population).
        Assert.Equal("holdout", r.UnusedSource);
        var keep = run.ReadKeep()[1];
        Assert.Equal(keep.Count(k => k), r.Result.Split.UsedTrain.Length + r.Result.Split.UsedEval.Length);
        Assert.Equal(60, r.Result.Split.UnusedTrain.Length + r.Result.Split.UnusedEval.Length);
        Assert.All(r.Result.Split.UsedTrain.Concat(r.Result.Split.UsedEval), i => Assert.True(keep[i]));
        Assert.All(r.Result.Split.UnusedTrain.Concat(r.Result.Split.UnusedEval), i => Assert.True(i >= 200));

        Assert.Equal(Path.Combine(run.Root, "mint", "model-0001-vanilla.npz"), r.DetectorPath);
        Assert.True(File.Exists(Path.ChangeExtension(r.DetectorPath, ".json")));
        Assert.Equal(Path.Combine(run.Root, "mint", "model-0001-vanilla.metrics.json"), r.MetricsPath);
        string metrics = File.ReadAllText(r.MetricsPath);
        Assert.Contains("\"balanced_accuracy_at_0_5\"", metrics);
        Assert.Contains("\"unused_source\": \"holdout\"", metrics);
        var activations = Npy.Read(r.ActivationsPath!);
        Assert.Equal([260, 3], activations.Shape); // the default input: the confidence view of 3 classes
        Assert.Contains("\"baselines\"", metrics);
        var summary = MiaLab.Core.Mint.MintSummary.Read(r.MetricsPath);
        Assert.Equal(["max-confidence", "loss"], summary.Baselines.Select(b => b.Name));
        Assert.Equal(r.Result.Baselines[1].Eval.BalancedAccuracy, summary.Baselines[1].Eval.BalancedAccuracy, 12);
        Assert.Equal(r.Result.BalancedAccuracyCi95, summary.BalancedAccuracyCi95);

        // mint test: the same samples written as an auditor's NPY get the detector's probabilities.
        int[] rows = [0, 5, 210, 250];
        var x = rows.SelectMany(i => fixture.Data.Samples.Features.AsSpan(i * 12, 12).ToArray()).ToArray();
        string file = Path.Combine(MintTestData.TempDirectory(), "mine.npy");
        Npy.Write(file, new NpyArray(x, rows.Length, 12));
        using var detector = MintDetector.Load(r.DetectorPath);
        double[] probabilities = MintStage.Test(detector, MintData.Read(file));
        var expected = detector.Predict(MintProtocol.Rows(activations.Get<float>(), 3, rows));
        // The logits come from batches of another size here, so float32 rounding may differ in the last bits.
        Assert.Equal(expected.Length, probabilities.Length);
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], probabilities[k], 6);
    }

    [Fact]
    public void DataOfAnotherShapeIsAnInputErrorNamingBothShapes()
    {
        var r = MintStage.Train(fixture.Run, 0, Quick(), detectorPath: Path.Combine(MintTestData.TempDirectory(), "d.npz"), data: fixture.Data);
        string file = Path.Combine(MintTestData.TempDirectory(), "wrong.npy");
        Npy.Write(file, new NpyArray(new float[3 * 11], 3, 11));
        using var detector = MintDetector.Load(r.DetectorPath);
        var e = Assert.Throws<InputException>(() => MintStage.Test(detector, MintData.Read(file)));
        Assert.Equal("the data has samples of shape (11,) but the audited model takes (12,)", e.Message);
    }

    [Fact]
    public void ImagesFitAGreyscaleModelAndOtherShapesDoNot()
    {
        var flat = new MiaLab.Core.Data.Dataset("x", new float[2 * 16], [4, 4], [0, 0], 1);
        Assert.Equal([1, 4, 4], MintData.Fit(flat, [1, 4, 4], "cnn").SampleShape);
        Assert.Equal([16], MintData.Fit(flat, [16], "mlp").SampleShape); // an MLP flattens its input
        var e = Assert.Throws<InputException>(() => MintData.Fit(flat, [3, 4, 4], "cnn"));
        Assert.Contains("(4, 4)", e.Message);
        Assert.Contains("(3, 4, 4)", e.Message);
    }

    [Fact]
    public void AnUnknownModelIndexOrDetectorIsAnInputError()
    {
        Assert.Throws<InputException>(() => MintStage.Train(fixture.Run, 7, Quick(), data: fixture.Data));
        Assert.Throws<InputException>(() => MintStage.Train(fixture.Run, 0, Quick("svm"), data: fixture.Data));
        Assert.Throws<InputException>(() => MintStage.Train(fixture.Run, 0, Quick() with { Points = ["hidden7"] }, data: fixture.Data));
    }
}
