using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Core.Translation;
using MiaLab.Torch.Models;
using MiaLab.Torch.Pipeline;
using MiaLab.Torch.Training;
using TorchSharp;

namespace MiaLab.Torch.Tests;

public sealed class UNetTests
{
    private static float[] Image(int seed)
    {
        var random = new StableRandom((ulong)seed);
        return Enumerable.Range(0, 784).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>Pairs of one task on random 28×28 images, the targets averaged to <paramref name="side"/>.</summary>
    private static Dataset Pairs(string kind, int count = 24, int side = 28)
    {
        var task = new TaskConfig { Kind = kind, TargetSize = side };
        var inputs = new List<float>();
        var targets = new List<float>();
        int channels = 1;
        for (int i = 0; i < count; i++)
        {
            var (input, target, c) = ImageTasks.Pair(task, Image(i), 1, 28, 28, new StableRandom((ulong)(100 + i)));
            channels = c;
            inputs.AddRange(input);
            targets.AddRange(side == 28 ? target : ImageTasks.BlockMean(target, c, 28, 28, 28 / side));
        }
        return new Dataset(kind, [.. inputs], [1, 28, 28], new long[count], 1).WithTargets([.. targets], [channels, side, side]);
    }

    [Theory]
    [InlineData("edges2image", 28)]
    [InlineData("denoise", 28)]
    [InlineData("inpaint", 28)]
    [InlineData("superres", 28)]
    [InlineData("segment", 28)]
    [InlineData("edges2image", 14)]
    [InlineData("edges2image", 7)]
    public void Outputs_have_the_task_target_shape(string kind, int side)
    {
        var data = Pairs(kind, count: 3, side: side);
        using var model = ModelZoo.Create(new ModelConfig { Kind = "unet", Channels = [4, 8, 8] }, data.SampleShape, 1, [1, 2], data.TargetShape);
        using var wrapped = TorchModel.Wrap(model, data.SampleShape);
        Assert.Equal([2, 1, side, side], wrapped.OutputShape);
        var outputs = ModelQuery.Query(wrapped, data, ["identity"]);
        Assert.Equal(3 * 2 * side * side, outputs.Length);
        Assert.All(outputs, v => Assert.InRange(v, 0f, 1f)); // the head, clamped outside training
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(data.Features, [1, 3, 1, 28, 28]).expand(2, 3, 1, 28, 28);
        Assert.Equal([2L, 3, 1, side, side], model.forward(x).shape);
    }

    [Fact]
    public void A_depth_that_does_not_divide_the_image_is_a_user_error()
    {
        var e = Assert.Throws<InputException>(() => new UNet(1, [1, 28, 28], [4, 8, 8, 8], [1, 28, 28]));
        Assert.Contains("multiples of 8", e.Message);
    }

    [Fact]
    public void The_trainer_fits_a_unet_with_l1_and_stacked_models_match_single_ones()
    {
        var data = Pairs("segment", count: 32);
        var config = new TrainingConfig { Optimizer = "adam", LearningRate = 0.01, Loss = "l1", Epochs = 6, BatchSize = 8, Schedule = "constant" };
        var model = new ModelConfig { Kind = "unet", Channels = [4, 8] };
        int[][] sets = [Enumerable.Range(0, 16).ToArray(), Enumerable.Range(16, 16).ToArray()];
        using var both = ModelZoo.Create(model, data.SampleShape, 1, [1, 2], data.TargetShape);
        var together = StackedTrainer.Train(both, config, data, sets, [5, 6], 0);
        for (int m = 0; m < 2; m++)
        {
            using var alone = ModelZoo.Create(model, data.SampleShape, 1, [m + 1], data.TargetShape);
            var single = StackedTrainer.Train(alone, config, data, [sets[m]], [5 + m], 0);
            for (int s = 0; s < single.StepLosses[0].Length; s++)
                Assert.Equal(single.StepLosses[0][s], together.StepLosses[m][s], 4);
        }
        var losses = together.StepLosses[0];
        Assert.True(losses[^4..].Average() < 0.8 * losses[..4].Average(), $"the L1 loss did not fall: {losses[..4].Average()} → {losses[^4..].Average()}");
        // The recorded loss is the mean absolute pixel error of the batch, of the head's raw output:
        // the loss sees it unclamped (a clamped pixel would have no gradient), queries see it clamped.
        using var check = ModelZoo.Create(model, data.SampleShape, 1, [1], data.TargetShape);
        float raw;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            check.train();
            var x = torch.tensor(data.Features[..(8 * data.FeatureLength)], [1, 8, .. data.SampleShape.Select(d => (long)d)]);
            var y = torch.tensor(data.Targets![..(8 * data.TargetLength)], [1, 8, .. data.TargetShape!.Select(d => (long)d)]);
            raw = (check.forward(x) - y).abs().mean().item<float>();
        }
        using var wrapped = TorchModel.Wrap(check, data.SampleShape);
        var clamped = ReconstructionError.All(ModelQuery.Query(wrapped, data, ["identity"]), data, ["identity"]).Take(8).Average();
        Assert.True(raw > clamped + 0.01, $"this initialisation should put pixels outside [0, 1] (raw {raw}, clamped {clamped})");
        var once = new TrainingConfig { Optimizer = "adam", LearningRate = 1e-12, Loss = "l1", Epochs = 1, BatchSize = 8, Schedule = "constant" };
        var first = StackedTrainer.Train(check, once, data, [[0, 1, 2, 3, 4, 5, 6, 7]], [0], 0);
        Assert.Equal(raw, first.StepLosses[0][0], 4);
    }

    [Fact]
    public void The_zoo_backbone_has_four_stages_of_feature_maps()
    {
        var p = new PredictabilityConfig();
        using var backbone = TorchModel.Own(ModelZoo.Create(PredictabilityStage.BackboneModel(p), [1, 28, 28], 10, [1]), [1, 28, 28]);
        Assert.Equal(["stem", "stage1", "stage2", "stage3"], PredictabilityScores.FeatureStages(backbone));
        using var cnn = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "cnn", Channels = [4, 8] }, [1, 28, 28], 10, [1]), [1, 28, 28]);
        Assert.Throws<InputException>(() => PredictabilityScores.FeatureStages(cnn));
    }
}
