using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Tests;

/// <summary>The object-classification MINT paper's audited CNN as a zoo model.</summary>
public class MintPaperCnnTests
{
    private static ModelConfig Paper(double dropout = 0.25) => new() { Kind = MintPaperCnn.Kind, Channels = [32, 64, 128], Dropout = dropout };

    [Fact]
    public void OnFashionMnistSizedImagesEachBlockHalvesTheMapAndTheCapturePointsHaveThePapersShapes()
    {
        // 28×28 → 14×14 → 7×7 → 3×3 (floor), then dense 128 and 10 logits.
        var images = new Dataset("zeros", new float[2 * 28 * 28], [1, 28, 28], [0, 1], 10);
        using var model = TorchModel.Own(ModelZoo.Create(Paper(), images.SampleShape, 10, [3]), images.SampleShape);
        Assert.Equal(["block1", "block2", "block3", "dense", "logits"], model.CapturePoints);
        var run = model.Run(images.Features, 2, model.CapturePoints);
        Assert.Equal([2, 32, 14, 14], run.Activations["block1"].Shape);
        Assert.Equal([2, 64, 7, 7], run.Activations["block2"].Shape);
        Assert.Equal([2, 128, 3, 3], run.Activations["block3"].Shape);
        Assert.Equal([2, 128], run.Activations["dense"].Shape);
        Assert.Equal([2, 10], run.Activations["logits"].Shape);
        Assert.Equal(20, run.Outputs.Length);
        // MINT's CNN detector reads conv maps: every block is one, the dense layer is not.
        Assert.Equal(["block1", "block2", "block3"], ActivationCapture.ConvPoints(model, images));
    }

    [Fact]
    public void ThePapersBlocksHoldTwoConvolutionsAndTwoBatchNormsEach()
    {
        using var model = ModelZoo.Create(Paper(), [1, 28, 28], 10, [1]);
        var names = model.StackedState().Select(s => s.Name).ToList();
        foreach (int b in new[] { 1, 2, 3 })
            foreach (int j in new[] { 1, 2 })
            {
                Assert.Contains($"block{b}_conv{j}.weight", names);
                Assert.Contains($"block{b}_norm{j}.running_mean", names);
            }
        Assert.DoesNotContain("block1_conv1.bias", names); // batch norm supplies the shift
        // Weights: 3·3·(1·32 + 32·32 + 32·64 + 64·64 + 64·128 + 128·128) convs, 2·(32+32+64+64+128+128) norm
        // scales and shifts, 128·3·3·128 + 128 dense, 128·10 + 10 classifier.
        long expected = 9L * (32 + 1024 + 2048 + 4096 + 8192 + 16384) + 2 * 448 + (1152 * 128 + 128) + (1280 + 10);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void TooManyBlocksForTheImageIsOneClearError()
    {
        var e = Assert.Throws<InputException>(() => ModelZoo.Create(new ModelConfig { Kind = MintPaperCnn.Kind, Channels = [4, 4, 4, 4] }, [1, 8, 8], 3, [1]));
        Assert.Contains("halve to nothing", e.Message);
    }

    [Fact]
    public void WithDropoutAndBatchNormItTrainsThroughTheStackedTrainerAndFitsItsTrainingSet()
    {
        var data = Mint.MintTestData.TinyImages(90);
        var config = new ModelConfig { Kind = MintPaperCnn.Kind, Channels = [4, 8], Dropout = 0.25 };
        using var model = ModelZoo.Create(config, data.SampleShape, data.NumClasses, [7, 8]);
        var training = new TrainingConfig { Optimizer = "adam", LearningRate = 0.01, Epochs = 25, BatchSize = 16, Schedule = "constant" };
        int[] all = Enumerable.Range(0, 90).ToArray();
        var result = StackedTrainer.Train(model, training, data, [all, all[..45]], [1, 2], 3);
        Assert.True(result.StepLosses[0][^1] < result.StepLosses[0][0], "the training loss must fall");
        var logits = TorchModel.QueryEach(model, data, ["identity"])[0];
        int hits = all.Count(i => Enumerable.Range(0, 3).MaxBy(c => logits[i * 3 + c]) == data.Labels[i]);
        Assert.True(hits >= 80, $"train accuracy {hits}/90 (eval mode: running batch-norm statistics, no dropout)");
    }
}
