using MiaLab.Core.Config;
using MiaLab.Experiments.PowerLaw;
using MiaLab.Onnx;
using MiaLab.Torch.Models;

namespace MiaLab.Cli.Tests;

/// <summary>`mialab experiment power-law` with power_law.backbone.onnx: each mistake is one line, exit code 2,
/// and no study folder.</summary>
public class PowerLawOnnxBackboneTests : CliTest
{
    /// <summary>A seeded CNN [4, 8] for Fashion-MNIST's [1, 28, 28] images and 5 backbone classes, exported as ONNX.</summary>
    private static void WriteBackbone(string path)
    {
        var model = PowerLawBackbone.ModelOf(new PowerLawBackboneConfig { Channels = [4, 8] });
        using var stack = ModelZoo.Create(model, [1, 28, 28], 5, [3]);
        OnnxExport.Write(stack.ToGraph(0, [1, 28, 28]), path);
    }

    private static string Config(string backbone) =>
        "dataset:\n  source: fashion-mnist\npower_law:\n  backbone:\n    channels: [4, 8]\n" +
        string.Concat(backbone.Split('\n').Select(l => $"    {l}\n"));

    public static TheoryData<string, string> BadBackbones() => new()
    {
        { "onnx: missing.onnx", "missing.onnx: ONNX file not found" },
        { "onnx: text.onnx", "text.onnx: not an ONNX model" },
        { "onnx: backbone.onnx\nweights: backbone.npz", "power_law.backbone gives both weights and onnx" },
        { "onnx: backbone.onnx\nlayout: sideways", "power_law.backbone.layout" },
        { "layout: nhwc", "power_law.backbone.input, layout, scaling, mean, std, output and output_name apply to an ONNX backbone" },
    };

    [Theory]
    [MemberData(nameof(BadBackbones))]
    public void ABadOnnxBackboneIsOneLineAndExitCode2AndWritesNothing(string backbone, string expected)
    {
        string work = NewWorkDir();
        WriteBackbone(Path.Combine(work, "backbone.onnx"));
        TestFiles.Write(work, "text.onnx", "this is not a model\n");
        TestFiles.Write(work, "power-law.yaml", Config(backbone));
        string line = Cli.AssertUserError(Cli.Run(work, "experiment", "power-law", "--config", "power-law.yaml", "--quick", "--run", "P"));
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(Path.Combine(work, "P")));
    }

    [Fact]
    public void APointTheOnnxModelLacksNamesTheTensorsItHas()
    {
        string work = NewWorkDir();
        WriteBackbone(Path.Combine(work, "backbone.onnx"));
        TestFiles.Write(work, "power-law.yaml", Config("onnx: backbone.onnx\npoint: nosuch"));
        string line = Cli.AssertUserError(Cli.Run(work, "experiment", "power-law", "--config", "power-law.yaml", "--quick", "--run", "P"));
        Assert.Contains("this model has: ", line);
        Assert.Contains("dense", line); // the exporter's capture points
    }
}
