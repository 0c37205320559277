using MiaLab.Core.Config;

namespace MiaLab.Core.Tests.Config;

public class TargetConfigTests
{
    private static RunConfig Parse(string target) => ConfigFile.Parse("plan:\n  models: 4\ntarget:\n" + target, "c.yaml");

    [Fact]
    public void A_target_section_reads_every_key()
    {
        var c = Parse("  onnx: m.onnx\n  members: in.npy\n  input: pixels\n  layout: nhwc\n  scaling: mean/std\n  mean: [0.5]\n  std: [0.25]\n" +
                      "  output: probabilities\n  output_name: probs\n");
        var t = c.Target!;
        Assert.Equal(("m.onnx", "in.npy", "pixels", "nhwc", "mean/std"), (t.Onnx, t.Members, t.Input, t.Layout, t.Scaling));
        Assert.Equal([0.5], t.Mean!);
        Assert.Equal([0.25], t.Std!);
        Assert.Equal(("probabilities", "probs"), (t.Output, t.OutputName));
    }

    [Theory]
    [InlineData("  members: in.npy\n", "c.yaml: target.onnx is required in a target section (the .onnx file of the model to audit)")]
    [InlineData("  onnx: m.onnx\n  layout: chw\n", "c.yaml: target.layout must be one of nchw, nhwc, flat (got 'chw')")]
    [InlineData("  onnx: m.onnx\n  scaling: mean/std\n", "c.yaml: target.scaling mean/std needs target.mean and target.std (one value per channel)")]
    [InlineData("  onnx: m.onnx\n  scaling: mean/std\n  mean: [0.5, 0.5]\n  std: [0.2]\n", "c.yaml: target.mean has 2 values but target.std has 1")]
    [InlineData("  onnx: m.onnx\n  scaling: mean/std\n  mean: [0.5]\n  std: [0]\n", "c.yaml: target.std must be finite numbers > 0 (got [0])")]
    [InlineData("  onnx: m.onnx\n  mean: [0.5]\n", "c.yaml: target.mean and target.std apply to scaling mean/std only (got scaling pixel/255)")]
    [InlineData("  onnx: m.onnx\n  output: softmax\n", "c.yaml: target.output must be one of logits, probabilities (got 'softmax')")]
    public void A_bad_target_section_is_one_line_naming_the_key(string target, string message)
    {
        var e = Assert.Throws<InputException>(() => Parse(target));
        Assert.Equal(message, e.Message);
    }
}
