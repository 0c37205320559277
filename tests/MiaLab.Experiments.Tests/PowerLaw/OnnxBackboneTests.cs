using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Experiments.PowerLaw;
using MiaLab.Onnx;
using MiaLab.Torch.Models;

namespace MiaLab.Experiments.Tests.PowerLaw;

/// <summary>An exported MiaLab CNN as the power-law study's ONNX backbone (power_law.backbone.onnx): the
/// same features as the same weights used as a zoo backbone, and its file's hash in the record.</summary>
public sealed class OnnxBackboneTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mialab-onnx-backbone-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>600 Fashion-MNIST training images: classes 0–4 are the backbone's, 5–9 the heads'.</summary>
    private static readonly Lazy<TransferData> Data = new(() => TransferData.From(FashionMnist.Load().Train.Subset(Enumerable.Range(0, 600).ToArray())));

    private static PowerLawConfig Section(string? weights = null, string? onnx = null)
    {
        var p = new PowerLawConfig();
        p.Backbone.Kind = "cnn";
        p.Backbone.Channels = [4, 8];
        p.Backbone.Point = "dense";
        p.Backbone.Weights = weights;
        p.Backbone.Onnx = onnx;
        return p;
    }

    /// <summary>A seeded, untrained CNN of the section's architecture, saved as weights and exported as ONNX.</summary>
    private (string Weights, string Onnx) Export(int seed, string name)
    {
        var b = Section().Backbone;
        var shape = Data.Value.All.SampleShape;
        string weights = Path.Combine(_dir, name + ".npz"), onnx = Path.Combine(_dir, name + ".onnx");
        using (var stack = ModelZoo.Create(PowerLawBackbone.ModelOf(b), shape, b.Classes.Length, [seed]))
            ModelWeights.Save(stack, 0, weights);
        using (var model = TorchModel.Load(PowerLawBackbone.ModelOf(b), shape, b.Classes.Length, weights))
            OnnxExport.Write(model.ToGraph(), onnx);
        return (weights, onnx);
    }

    private static Dataset Pool => Data.Value.All.Subset(Enumerable.Range(300, 200).ToArray());

    [Fact]
    public void TheOnnxBackboneGivesTheFeaturesOfTheSameWeightsAsAZooBackbone()
    {
        var (weights, onnx) = Export(seed: 11, "cnn");
        var data = Data.Value;
        Assert.Equal(128, PowerLawBackbone.CheckFeatures(Section(onnx: onnx), data)); // dense: the CNN's 128-unit hidden layer
        using var zoo = PowerLawBackbone.Prepare(Section(weights: weights), data, 0, Path.Combine(_dir, "zoo"), null, null, default);
        using var external = PowerLawBackbone.Prepare(Section(onnx: onnx), data, 0, Path.Combine(_dir, "onnx"), null, null, default);

        Assert.IsType<OnnxModel>(external.Model);
        Assert.False(external.Record.Pretrained);
        Assert.Equal(FileHash.Sha256(onnx), external.Record.WeightsSha256);
        Assert.Equal(onnx, external.Record.Config.Onnx);
        Assert.Equal(zoo.Record.Features, external.Record.Features);

        var (expected, _, _) = PoolFeatures.Prepare(Directory.CreateDirectory(Path.Combine(_dir, "zoo-pool")).FullName, zoo, "dense", Pool);
        var (actual, _, _) = PoolFeatures.Prepare(Directory.CreateDirectory(Path.Combine(_dir, "onnx-pool")).FullName, external, "dense", Pool);
        Assert.Equal(expected.SampleShape, actual.SampleShape);
        Assert.Equal(expected.Features.Length, actual.Features.Length);
        double largest = 0;
        for (int i = 0; i < expected.Features.Length; i++)
        {
            Assert.True(Math.Abs(expected.Features[i] - actual.Features[i]) <= 1e-5, $"feature {i}: {expected.Features[i]} vs {actual.Features[i]}");
            largest = Math.Max(largest, Math.Abs(expected.Features[i]));
        }
        // The features are not all zero (a dead ReLU layer would match trivially).
        Assert.True(largest > 0.01, $"the largest feature is {largest:g3}");
    }

    [Fact]
    public void AChangedOnnxFileIsANewBackboneAndItsFeaturesAreExtractedAgain()
    {
        var (_, onnx) = Export(seed: 11, "first");
        var (_, other) = Export(seed: 12, "second");
        string folder = Path.Combine(_dir, "study"), run = Directory.CreateDirectory(Path.Combine(_dir, "run")).FullName;
        var section = Section(onnx: onnx);
        string before;
        using (var backbone = PowerLawBackbone.Prepare(section, Data.Value, 0, folder, null, null, default))
        {
            before = backbone.Sha256;
            Assert.False(PoolFeatures.Prepare(run, backbone, "dense", Pool).Reused);
        }
        using (var same = PowerLawBackbone.Prepare(section, Data.Value, 0, folder, null, null, default))
            Assert.True(PoolFeatures.Prepare(run, same, "dense", Pool).Reused); // the same file: the features are read back

        File.Copy(other, onnx, overwrite: true); // the user replaces the model at the same path
        using var changed = PowerLawBackbone.Prepare(section, Data.Value, 0, folder, null, null, default);
        Assert.NotEqual(before, changed.Sha256);
        Assert.Equal(FileHash.Sha256(other), changed.Record.WeightsSha256);
        Assert.Equal(changed.Sha256, StudyRecord.Read<BackboneRecord>(Path.Combine(folder, PowerLawBackbone.Folder, PowerLawBackbone.RecordFile))!.WeightsSha256);
        Assert.False(PoolFeatures.Prepare(run, changed, "dense", Pool).Reused);
    }
}
