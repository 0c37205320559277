using System.Text.Json;
using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>Image-to-image runs through the CLI: a tiny audit end to end, and each user mistake one line with exit code 2.</summary>
public sealed class TranslationTests : CliTest
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    /// <summary>A tiny image-to-image config: 3 U-Nets [2, 4] for one epoch; <paramref name="task"/> is the task section's body.</summary>
    private static string Yaml(string task, int population = 40, int holdout = 20, int models = 3) => $"""
        seed: 0
        dataset:
          source: fashion-mnist
          population: {population}
          holdout: {holdout}
        plan:
          models: {models}
        model:
          kind: unet
          channels: [2, 4]
        training:
          loss: l1
          optimizer: adam
          learning_rate: 0.01
          epochs: 1
          batch_size: 16
          models_per_pass: 1
        task:
        {task}
        """;

    private const string TinyBackbone = """
          predictability:
            backbone_channels: [2, 4, 4]
            backbone_epochs: 1
            backbone_samples: 40
        """;

    [Fact]
    public void Audit_of_a_tiny_edges2image_run_writes_reconstruction_errors_attacks_and_a_gallery()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "e.yaml", Yaml("  kind: edges2image\n" + TinyBackbone, models: 6));
        Cli.AssertSuccess(Cli.Run(work, Long, "audit", "--config", "e.yaml", "--run", "R", "--bootstrap", "20"));
        string run = Path.Combine(work, "R");

        Assert.Equal([60, 2], Npy.ReadHeader(Path.Combine(run, "recon", "model-0000.npy")).Shape);
        Assert.Equal([60], Npy.ReadHeader(Path.Combine(run, "predictability.npy")).Shape);
        Assert.False(Directory.EnumerateFiles(Path.Combine(run, "logits")).Any(), "an image-to-image run wrote logits");
        Assert.All(TestFiles.ManifestStatuses(run), s => Assert.Equal("queried", s));

        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "manifest.json"))))
        {
            var backbone = manifest.RootElement.GetProperty("predictability").GetProperty("backbone");
            Assert.Contains("none in this run", backbone.GetProperty("training_data").GetString());
        }
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            var attacks = metrics.RootElement.GetProperty("targets")[0].GetProperty("attacks").EnumerateObject().Select(p => p.Name).ToList();
            Assert.Contains("recon", attacks);
            Assert.Contains("recon-predictability", attacks);
            Assert.Contains("recon-rmia-online", attacks);
            Assert.DoesNotContain("loss", attacks);
        }
        string html = File.ReadAllText(Path.Combine(run, "report", "index.html"));
        Assert.Contains("Input, output and target", html);
        Assert.Contains("Most confidently rejected non-members", html);
        Assert.Contains("L_pred", html);

        // A classifier's attack asked of this run is one clear line.
        string line = Cli.AssertUserError(Cli.Run(work, "attack", "--run", "R", "--attacks", "loss"));
        Assert.Contains("image-to-image", line);
        Assert.Contains("recon-predictability", line);

        // A trained U-Net exports as ONNX with its image output (ONNX Runtime's agreement with TorchSharp is
        // MiaLab.Onnx.Tests' ExportTests); the file names its output and its 28×28 image shape.
        Assert.Contains("output 'output' [batch, 1, 28, 28]", Cli.AssertSuccess(Cli.Run(work, "export", "--run", "R", "--model", "1", "--out", "m.onnx")).Stdout);
        var (exported, _) = MiaLab.Onnx.OnnxFile.Read(Path.Combine(work, "m.onnx"));
        Assert.Equal("output", Assert.Single(exported.Graph.Output).Name);
    }

    public static TheoryData<string, string, string> BadTasks() => new()
    {
        { "unknown task", "  kind: colorize\n", "task.kind" },
        { "backbone of fewer than four stages", "  kind: edges2image\n  predictability:\n    backbone_channels: [4, 8]\n", "four stages" },
        { "grid larger than the image", "  kind: edges2image\n  predictability:\n    grid: 30\n", "larger than the 28×28 target" },
        { "grid larger than a reduced target", "  kind: edges2image\n  target_size: 7\n  predictability:\n    grid: 14\n", "larger than the 7×7 target" },
        { "target size that does not divide", "  kind: edges2image\n  target_size: 5\n", "task.target_size" },
    };

    [Theory]
    [MemberData(nameof(BadTasks))]
    public void A_bad_task_is_one_line_and_writes_nothing(string what, string task, string named)
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "bad.yaml", Yaml(task));
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "bad.yaml", "--run", "R"));
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"{what}: the message does not name '{named}': {line}");
        Assert.False(File.Exists(Path.Combine(work, "R", "manifest.json")), $"{what}: a run directory was made");
    }

    [Theory]
    [InlineData("different counts", 30, 28, 28, 32, 28, 28, "32 targets for 30 inputs")]
    [InlineData("different shapes", 30, 28, 28, 30, 14, 14, "14×14 pixels for inputs of 28×28")]
    public void Files_whose_inputs_and_targets_disagree_are_one_line(string what, int n, int h, int w, int tn, int th, int tw, string named)
    {
        string work = NewWorkDir();
        Npy.Write(Path.Combine(work, "x.npy"), new NpyArray(new float[n * h * w], n, h, w));
        Npy.Write(Path.Combine(work, "y.npy"), new NpyArray(new float[tn * th * tw], tn, th, tw));
        TestFiles.Write(work, "f.yaml", Yaml("  kind: files\n  inputs: x.npy\n  targets: y.npy\n", population: 0, holdout: 10));
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "f.yaml", "--run", "R"));
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"{what}: {line}");
    }

    /// <summary>A predictability backbone as ONNX: an untrained zoo ResNet [2, 4, 4] for Fashion-MNIST's images,
    /// exported, whose stages are stem, stage1, stage2 and stage3.</summary>
    private static string WriteOnnxBackbone(string work)
    {
        string path = Path.Combine(work, "backbone.onnx");
        var model = MiaLab.Torch.Pipeline.PredictabilityStage.BackboneModel(new MiaLab.Core.Config.PredictabilityConfig { BackboneChannels = [2, 4, 4] });
        using var stack = MiaLab.Torch.Models.ModelZoo.Create(model, [1, 28, 28], 10, [3]);
        MiaLab.Onnx.OnnxExport.Write(stack.ToGraph(0, [1, 28, 28]), path);
        return path;
    }

    private static string OnnxBackboneTask(string stages, string onnx = "backbone.onnx") =>
        $"  kind: edges2image\n  predictability:\n    backbone:\n      onnx: {onnx}\n      stages: [{stages}]\n";

    [Fact]
    public void An_onnx_backbone_gives_the_predictability_errors_and_the_manifest_names_its_file()
    {
        string work = NewWorkDir();
        string onnx = WriteOnnxBackbone(work);
        TestFiles.Write(work, "o.yaml", Yaml(OnnxBackboneTask("stem, stage1, stage2, stage3"), models: 2));
        Cli.AssertSuccess(Cli.Run(work, Long, "train", "--config", "o.yaml", "--run", "R"));
        string run = Path.Combine(work, "R");
        Assert.Equal([60], Npy.ReadHeader(Path.Combine(run, "predictability.npy")).Shape);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "manifest.json")));
        var predictability = manifest.RootElement.GetProperty("predictability");
        Assert.Equal(["stem", "stage1", "stage2", "stage3"], predictability.GetProperty("stages").EnumerateArray().Select(e => e.GetString()));
        var backbone = predictability.GetProperty("backbone");
        Assert.Equal(FileHash.Sha256(onnx), backbone.GetProperty("weights_sha256").GetString());
        string recorded = backbone.GetProperty("onnx").GetString()!;
        Assert.True(Path.IsPathFullyQualified(recorded) && Path.GetFileName(recorded) == "backbone.onnx", $"the record names {recorded}"); // found from any folder
        Assert.Contains("pretrained elsewhere", backbone.GetProperty("training_data").GetString());
        Assert.False(Directory.Exists(Path.Combine(run, "backbone")), "the zoo backbone was trained beside the ONNX one");
    }

    public static TheoryData<string, string, string> BadOnnxBackbones() => new()
    {
        { "three stages", OnnxBackboneTask("stem, stage1, stage2"), "task.predictability.backbone.stages must name exactly 4 tensors of the model" },
        { "five stages", OnnxBackboneTask("stem, stage1, stage2, stage3, logits"), "(got 5)" },
        { "a stage that is not a tensor", OnnxBackboneTask("stem, stage1, stage2, nosuch"), "task.predictability.backbone.stages: 'nosuch' is not a tensor of ONNX model" },
        { "a stage that is not a feature map", OnnxBackboneTask("stem, stage1, stage2, logits"), "'logits' gives activations of shape [1, 10] for one sample, not feature maps" },
        { "a missing file", OnnxBackboneTask("stem, stage1, stage2, stage3", "missing.onnx"), "missing.onnx: ONNX file not found" },
        { "zoo settings beside it", OnnxBackboneTask("stem, stage1, stage2, stage3") + "    backbone_epochs: 1\n", "describe the zoo backbone" },
    };

    [Theory]
    [MemberData(nameof(BadOnnxBackbones))]
    public void A_bad_onnx_backbone_is_one_line_and_writes_nothing(string what, string task, string named)
    {
        string work = NewWorkDir();
        WriteOnnxBackbone(work);
        TestFiles.Write(work, "bad.yaml", Yaml(task));
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "bad.yaml", "--run", "R"));
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"{what}: the message does not name '{named}': {line}");
        Assert.False(Directory.Exists(Path.Combine(work, "R")), $"{what}: a run directory was made");
    }

    [Fact]
    public void A_unet_without_a_task_and_a_classifier_with_one_are_config_errors()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "a.yaml", Yaml("  kind: edges2image\n").Replace("task:\n  kind: edges2image\n", "", StringComparison.Ordinal));
        Assert.Contains("needs a task section", Cli.AssertUserError(Cli.Run(work, "train", "--config", "a.yaml", "--run", "R")));
        TestFiles.Write(work, "b.yaml", Yaml("  kind: edges2image\n").Replace("  kind: unet\n", "  kind: cnn\n", StringComparison.Ordinal));
        Assert.Contains("model.kind unet", Cli.AssertUserError(Cli.Run(work, "train", "--config", "b.yaml", "--run", "R")));
    }
}
