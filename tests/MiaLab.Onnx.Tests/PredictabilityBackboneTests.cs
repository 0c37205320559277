using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Translation;
using MiaLab.Torch.Models;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Onnx.Tests;

/// <summary>An ONNX model as the predictability score's backbone (task.predictability.backbone): the zoo backbone
/// exported gives the zoo backbone's L_pred on real edges2image pairs; the record names the file and its SHA-256,
/// and a replaced file computes L_pred again.</summary>
public sealed class PredictabilityBackboneTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mialab-onnx-predictability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] ResNetStages = ["stem", "stage1", "stage2", "stage3"];

    /// <summary>The zoo backbone's settings: a ResNet [2, 4, 4] trained for one epoch on 40 images.</summary>
    private const string ZooBackbone = "    backbone_channels: [2, 4, 4]\n    backbone_epochs: 1\n    backbone_samples: 40\n";

    /// <summary>60 Fashion-MNIST edges2image pairs (40 + 20 holdout), L_pred on a 14×14 grid from the zoo
    /// backbone (<paramref name="onnx"/> null) or from an ONNX file's ResNet stages.</summary>
    private static RunConfig Config(string? onnx = null) => ConfigFile.Parse(
        "dataset:\n  source: fashion-mnist\n  population: 40\n  holdout: 20\nmodel:\n  kind: unet\n  channels: [2, 4]\n" +
        "training:\n  loss: l1\ntask:\n  kind: edges2image\n  predictability:\n    grid: 14\n" +
        (onnx is null ? ZooBackbone : $"    backbone:\n      onnx: {onnx}\n      stages: [{string.Join(", ", ResNetStages)}]\n"), "test.yaml");

    private static ModelConfig ZooModel => PredictabilityStage.BackboneModel(Config().Task!.Predictability);

    private static void ExportUntrained(int seed, int[] sampleShape, string path)
    {
        using var stack = ModelZoo.Create(ZooModel, sampleShape, 10, [seed]);
        OnnxExport.Write(stack.ToGraph(0, sampleShape), path);
    }

    [Fact]
    public void The_zoo_backbone_exported_as_onnx_gives_the_zoo_backbones_predictability_errors()
    {
        var zooConfig = Config();
        var (zooRun, data) = PlanStage.Prepare(zooConfig, Path.Combine(_dir, "zoo"));
        var expected = PredictabilityStage.Run(zooRun, zooConfig, data); // trains the zoo backbone into backbone/
        string onnx = Path.Combine(_dir, "backbone.onnx");
        using (var trained = TorchModel.Load(ZooModel, [1, 28, 28], 10, Path.Combine(zooRun.Paths.BackboneDirectory, "backbone.npz")))
            OnnxExport.Write(trained.ToGraph(), onnx);

        var config = Config(onnx);
        var (run, same) = PlanStage.Prepare(config, Path.Combine(_dir, "onnx"));
        double[] actual;
        using (var backbone = OnnxPredictabilityBackbone.Load(config, same.Samples)!)
        {
            Assert.IsType<OnnxModel>(backbone.Model);
            Assert.Equal([1, 28, 28], backbone.Model.InputShape);
            actual = PredictabilityStage.Run(run, config, same, backbone);
        }

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"sample {i}: L_pred {expected[i]} from the zoo backbone, {actual[i]} from its ONNX export");
        // L_pred differs between samples: the agreement is not between constants.
        double mean = expected.Average();
        Assert.True(Math.Sqrt(expected.Average(v => (v - mean) * (v - mean))) > 0.01, "L_pred barely varies between samples");

        var zooRecord = PredictabilityRecord.TryRead<PredictabilityRecord>(zooRun.Paths.PredictabilityRecord)!;
        var record = PredictabilityRecord.TryRead<PredictabilityRecord>(run.Paths.PredictabilityRecord)!;
        Assert.Equal(ResNetStages, record.Stages);
        Assert.Equal(zooRecord.Stages, record.Stages);
        Assert.Equal(zooRecord.Features, record.Features);
        Assert.Null(zooRecord.Backbone.Onnx);
        Assert.Equal(Path.GetFullPath(onnx), record.Backbone.Onnx);
        Assert.Equal(FileHash.Sha256(onnx), record.Backbone.WeightsSha256);
        Assert.Contains("pretrained elsewhere", record.Backbone.TrainingData);
        // The manifest says which backbone made L_pred.
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Root, "manifest.json")));
        var named = manifest.RootElement.GetProperty("predictability").GetProperty("backbone");
        Assert.Equal(FileHash.Sha256(onnx), named.GetProperty("weights_sha256").GetString());
        Assert.Equal(Path.GetFullPath(onnx), named.GetProperty("onnx").GetString());
    }

    [Fact]
    public void A_replaced_onnx_file_computes_the_predictability_errors_again()
    {
        string onnx = Path.Combine(_dir, "backbone.onnx");
        ExportUntrained(seed: 1, [1, 28, 28], onnx);
        var config = Config(onnx);
        var (run, data) = PlanStage.Prepare(config, Path.Combine(_dir, "run"));
        double[] Compute()
        {
            using var backbone = OnnxPredictabilityBackbone.Load(config, data.Samples)!;
            return PredictabilityStage.Run(run, config, data, backbone);
        }

        var first = Compute();
        string recorded = File.ReadAllText(run.Paths.PredictabilityRecord);
        Assert.Equal(first, Compute());
        Assert.Equal(recorded, File.ReadAllText(run.Paths.PredictabilityRecord)); // the same file: reused, not computed again

        ExportUntrained(seed: 2, [1, 28, 28], onnx); // other weights under the same name
        var second = Compute();
        var record = PredictabilityRecord.TryRead<PredictabilityRecord>(run.Paths.PredictabilityRecord)!;
        Assert.Equal(FileHash.Sha256(onnx), record.Backbone.WeightsSha256);
        Assert.NotEqual(recorded, File.ReadAllText(run.Paths.PredictabilityRecord));
        Assert.True(first.Zip(second).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "other weights gave the same L_pred");
    }

    [Fact]
    public void A_backbone_that_takes_other_images_gets_the_runs_images_resized_as_the_zoo_backbone_does()
    {
        // A ResNet for 3×32×32 images (as an ImageNet model takes 3×224×224): each grey 28×28 input is resized and repeated.
        int[] shape = [3, 32, 32];
        string onnx = Path.Combine(_dir, "rgb.onnx");
        using var stack = ModelZoo.Create(ZooModel, shape, 10, [4]);
        OnnxExport.Write(stack.ToGraph(0, shape), onnx);
        var config = Config(onnx);
        var data = PlanStage.LoadData(config).Samples;
        var options = new PredictabilityOptions(14);

        using var backbone = OnnxPredictabilityBackbone.Load(config, data)!;
        Assert.Equal(shape, backbone.Model.InputShape);
        using var torch = TorchModel.Wrap(stack, shape);
        var expected = PredictabilityScores.Compute(torch, data, options);
        var actual = PredictabilityScores.Compute(backbone.Model, data, options, stages: backbone.Stages);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"sample {i}: {expected[i]} vs {actual[i]}");
    }
}
