using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Models;
using MiaLab.Core.Models;

namespace MiaLab.Torch.Tests.Mint;

public class ActivationCaptureTests
{
    [Theory]
    [InlineData("mlp", new[] { "hidden1", "hidden2", "logits" }, new[] { 16, 8, 3 })]
    [InlineData("cnn", new[] { "conv1", "conv2", "dense", "logits" }, new[] { 4, 8, SmallCnn.DenseWidth, 3 })]
    [InlineData("resnet", new[] { "stem", "stage1", "stage2", "logits" }, new[] { 4, 4, 8, 3 })]
    [InlineData("mint-paper-cnn", new[] { "block1", "block2", "dense", "logits" }, new[] { 4, 8, MintPaperCnn.DenseWidth, 3 })]
    public void EveryPointReducesToOneValuePerChannel(string kind, string[] points, int[] channels)
    {
        var data = MintTestData.TinyImages(30);
        using var model = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = kind, Hidden = [16, 8], Channels = [4, 8] }, data.SampleShape, data.NumClasses, [1]), data.SampleShape);
        var all = ActivationCapture.Capture(model, data, ["all"], batchSize: 7);
        Assert.Equal(points, all.Layout.Points);
        Assert.Equal(channels, all.Layout.Segments.Select(s => s.Channels));
        Assert.Equal(channels.Sum(), all.Layout.Width);
        Assert.Equal(30, all.Count);
        Assert.Equal(30L * channels.Sum(), all.Values.LongLength);
        int offset = 0;
        foreach (var s in all.Layout.Segments) { Assert.Equal(offset, s.Offset); offset += s.Channels; }

        // A chosen subset, in the order asked: L is the sum of their channels, and the columns match.
        string[] chosen = [points[^1], points[0]];
        var some = ActivationCapture.Capture(model, data, chosen);
        Assert.Equal(chosen, some.Layout.Points);
        Assert.Equal(channels[^1] + channels[0], some.Layout.Width);
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < channels[0]; j++)
                Assert.Equal(all.Values[i * all.Layout.Width + j], some.Values[i * some.Layout.Width + channels[^1] + j], 5);
    }

    [Fact]
    public void ConvMapsReduceToTheirPerChannelMaxAndMean()
    {
        // One sample, two channels of 2×2: channel 0 = [[1, −2], [3, 0.5]], channel 1 = [[−1, −4], [−3, −2]].
        var map = new ActivationBatch([1, -2, 3, 0.5f, -1, -4, -3, -2], [1, 2, 2, 2]);
        Assert.Equal(new float[] { 3, -1 }, ActivationCapture.Reduce(map, MintReduction.Max));
        Assert.Equal(new float[] { 0.625f, -2.5f }, ActivationCapture.Reduce(map, MintReduction.Mean));
        var vector = new ActivationBatch([1, 2, 3], [1, 3]);
        Assert.Equal(new float[] { 1, 2, 3 }, ActivationCapture.Reduce(vector, MintReduction.Max));
    }

    [Fact]
    public void CapturedConvColumnsAreTheMaxOfTheFullMaps()
    {
        var data = MintTestData.TinyImages(12);
        using var model = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "cnn", Channels = [4, 8] }, data.SampleShape, data.NumClasses, [2]), data.SampleShape);
        var maps = ActivationCapture.CaptureMap(model, data, "conv1");
        Assert.Equal([4, 4, 4], maps.SampleShape); // 8×8 pooled once
        var max = ActivationCapture.Capture(model, data, ["conv1"], MintReduction.Max);
        var mean = ActivationCapture.Capture(model, data, ["conv1"], MintReduction.Mean);
        for (int i = 0; i < 12; i++)
            for (int c = 0; c < 4; c++)
            {
                var cell = maps.Values.AsSpan((i * 4 + c) * 16, 16).ToArray();
                Assert.Equal(cell.Max(), max.Values[i * 4 + c]);
                Assert.Equal(cell.Average(), mean.Values[i * 4 + c], 5);
            }
    }

    [Fact]
    public void AnUnknownCapturePointIsAnInputErrorListingTheModelsPoints()
    {
        var data = MintTestData.TinyImages(4);
        using var model = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "cnn", Channels = [4] }, data.SampleShape, data.NumClasses, [1]), data.SampleShape);
        var e = Assert.Throws<InputException>(() => ActivationCapture.Capture(model, data, ["conv9"]));
        Assert.Contains("unknown capture point 'conv9'", e.Message);
        Assert.Contains("conv1, dense, logits", e.Message);
        var v = Assert.Throws<InputException>(() => ActivationCapture.CaptureMap(model, data, "dense"));
        Assert.Contains("not a conv map", v.Message);
        Assert.Contains("conv1", v.Message);
    }

    [Fact]
    public void WritesTheActivationsAndTheirLayout()
    {
        var data = MintTestData.TinyImages(10);
        using var model = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "cnn", Channels = [4] }, data.SampleShape, data.NumClasses, [1]), data.SampleShape);
        var a = ActivationCapture.Capture(model, data, ["conv1", "logits"]);
        string path = Path.Combine(MintTestData.TempDirectory(), "activations", "model-0000.npy");
        ActivationCapture.Write(path, a);
        var back = Npy.Read(path);
        Assert.Equal([10, 7], back.Shape);
        Assert.Equal(a.Values, back.Get<float>());
        string json = File.ReadAllText(Path.ChangeExtension(path, ".json"));
        Assert.Contains("\"point\": \"logits\"", json);
        Assert.Contains("\"offset\": 4", json);
        Assert.Contains("\"reduction\": \"max\"", json);
    }
}
