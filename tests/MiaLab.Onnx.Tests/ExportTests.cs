using MiaLab.Core.Config;
using MiaLab.Core.Models;
using MiaLab.Torch.Models;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace MiaLab.Onnx.Tests;

/// <summary>An exported model, run by ONNX Runtime, gives TorchSharp's logits (a U-Net: its images) and activations.</summary>
public class ExportTests
{
    public static TheoryData<string> Architectures => ["mlp", "mlp-tanh", "mlp-cosine", "cnn", "cnn-cosine", "resnet", "mint-paper-cnn"];

    private static ModelConfig Config(string name) => name switch
    {
        "mlp" => TestModels.Mlp(),
        "mlp-tanh" => TestModels.Mlp(activation: "tanh"),
        "mlp-cosine" => TestModels.Mlp(classifier: "cosine"),
        "cnn" => TestModels.Cnn(),
        "cnn-cosine" => new ModelConfig { Kind = "cnn", Channels = [4, 8], Classifier = "cosine" },
        "resnet" => TestModels.ResNet(),
        "mint-paper-cnn" => new ModelConfig { Kind = "mint-paper-cnn", Channels = [8, 16] },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Onnx_runtime_gives_the_torchsharp_logits_and_activations_of_an_exported_model(string architecture)
    {
        var data = TestModels.FashionMnistImages.Subset(Enumerable.Range(400, 200).ToArray()); // not trained on
        using var stack = TestModels.Trained(Config(architecture), TestModels.FashionMnistImages);
        using var torch = TorchModel.Wrap(stack, data.SampleShape);
        using var file = TestModels.Temp("model.onnx");
        OnnxExport.Write(torch.ToGraph(), file.Path);

        using var onnx = OnnxModel.Load(new OnnxModelConfig { Onnx = file.Path }, data.SampleShape, data.NumClasses);
        Assert.Equal(torch.CapturePoints, onnx.CapturePoints);
        var expected = torch.Run(data.Features, data.Count, torch.CapturePoints);
        var actual = onnx.Run(data.Features, data.Count, onnx.CapturePoints);

        Assert.Equal(data.Count * data.NumClasses, actual.Outputs.Length);
        AssertClose(expected.Outputs, actual.Outputs, "logits");
        // Trained weights and logits that differ between samples: the comparison is not between near-constant outputs.
        double spread = StandardDeviation(expected.Outputs);
        Assert.True(spread > 0.2, $"the logits' standard deviation is {spread:g3} (accuracy {Accuracy(expected.Outputs, data):0.00})");
        foreach (var point in torch.CapturePoints)
        {
            Assert.Equal(expected.Activations[point].Shape, actual.Activations[point].Shape);
            AssertClose(expected.Activations[point].Values, actual.Activations[point].Values, point);
        }
    }

    [Fact]
    public void The_export_names_input_output_and_opset_for_other_tools()
    {
        var data = TestModels.FashionMnistImages;
        using var stack = ModelZoo.Create(TestModels.Cnn(), data.SampleShape, data.NumClasses, [1]);
        var model = OnnxExport.ToModel(stack.ToGraph(0, data.SampleShape));
        Assert.Equal(ModelGraph.InputName, Assert.Single(model.Graph.Input).Name);
        Assert.Equal(["batch", "1", "28", "28"], model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString()));
        Assert.Equal(ModelGraph.LogitsName, Assert.Single(model.Graph.Output).Name);
        Assert.Equal(OnnxExport.Opset, Assert.Single(model.OpsetImport).Version);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"], model.Graph.Node.Select(n => n.OpType));
    }

    /// <summary>U-Nets of depth 2 and 3, with targets at the input's 28×28 and block-averaged to 14×14 and 7×7.</summary>
    public static TheoryData<int[], int> UNets => new()
    {
        { [4, 8], 28 },
        { [4, 8], 14 },
        { [4, 8, 8], 7 },
    };

    [Theory]
    [MemberData(nameof(UNets))]
    public void Onnx_runtime_gives_the_torchsharp_outputs_and_activations_of_an_exported_unet(int[] channels, int side)
    {
        var data = TestModels.FashionMnistImages.Subset(Enumerable.Range(400, 100).ToArray());
        const int slot = 1; // of a stack of two, so that the export takes its own slice of the stacked weights
        using var stack = ModelZoo.Create(new ModelConfig { Kind = "unet", Channels = channels }, data.SampleShape, data.NumClasses, [5, 6], [1, side, side]);
        WidenHead(stack, data, slot);
        var expected = UNetOutputs(stack, data, slot);

        var model = OnnxExport.ToModel(stack.ToGraph(slot, data.SampleShape));
        var output = Assert.Single(model.Graph.Output);
        Assert.Equal(ModelGraph.ImageName, output.Name);
        Assert.Equal(["batch", "1", $"{side}", $"{side}"], output.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString()));
        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(channels.Length - 1, ops.Count(o => o == "Resize"));
        Assert.Equal(channels.Length - 1, ops.Count(o => o == "Concat"));
        Assert.Single(ops, o => o == "Clip");
        Assert.Equal(side < 28 ? 1 : 0, ops.Count(o => o == "AveragePool"));

        var points = stack.CapturePoints.ToList();
        using var session = new InferenceSession(OnnxFile.WithOutputs(model, points));
        using var input = OrtValue.CreateTensorValueFromMemory(data.Features, [data.Count, .. data.SampleShape.Select(d => (long)d)]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [ModelGraph.InputName], [input], points);
        for (int i = 0; i < points.Count; i++)
        {
            var (values, shape) = expected.Eval[points[i]];
            Assert.Equal(shape, results[i].GetTensorTypeAndShape().Shape);
            AssertClose(values, results[i].GetTensorDataAsSpan<float>().ToArray(), points[i]);
        }

        // The clamp is exercised: without it (training mode) some outputs fall below 0 and some above 1,
        // and they differ from the exported model's by more than any rounding.
        var (clamped, _) = expected.Eval[ModelGraph.ImageName];
        var unclamped = expected.Unclamped;
        Assert.True(unclamped.Count(v => v < 0) > unclamped.Length / 50, "too few outputs below 0 before the clamp");
        Assert.True(unclamped.Count(v => v > 1) > unclamped.Length / 50, "too few outputs above 1 before the clamp");
        Assert.True(clamped.Zip(unclamped).Max(p => Math.Abs(p.First - p.Second)) > 0.1);
        Assert.All(clamped, v => Assert.InRange(v, 0f, 1f));
        // And the slot is the one asked for: the other model of the stack gives other images.
        Assert.True(clamped.Zip(expected.OtherSlot).Max(p => Math.Abs(p.First - p.Second)) > 0.1);
    }

    /// <summary>The linear head (1×1 weights and bias) rescaled and shifted so that the slot's output before the
    /// clamp maps its 10th percentile to 0 and its 90th to 1: a tenth of the values falls below 0, a tenth above 1.</summary>
    private static void WidenHead(StackedModel stack, MiaLab.Core.Data.Dataset data, int slot)
    {
        var sorted = UNetOutputs(stack, data, slot).Unclamped.Order().ToArray();
        float low = sorted[sorted.Length / 10], high = sorted[sorted.Length * 9 / 10];
        float scale = 1 / (high - low), shift = -scale * low;
        using var noGrad = torch.no_grad();
        var state = stack.StackedState().ToDictionary(p => p.Name, p => p.Tensor);
        state["head.weight"].mul_(scale);
        state["head.bias"].mul_(scale).add_(shift);
    }

    /// <summary>TorchSharp's evaluation-mode activations of one slot (values and [B, …] shape per capture point),
    /// its training-mode output (the same pass without the clamp), and the other slot's evaluation output.</summary>
    private static (Dictionary<string, (float[] Values, long[] Shape)> Eval, float[] Unclamped, float[] OtherSlot) UNetOutputs(
        StackedModel stack, MiaLab.Core.Data.Dataset data, int slot)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long[] shape = [stack.Models, data.Count, .. data.SampleShape.Select(d => (long)d)];
        var x = torch.tensor(data.Features, [1, .. shape[1..]]).expand(shape);
        static float[] Values(torch.Tensor t) => t.contiguous().data<float>().ToArray();
        stack.eval();
        var capture = new Dictionary<string, torch.Tensor>();
        var outputs = stack.Forward(x, capture);
        var eval = stack.CapturePoints.ToDictionary(p => p, p => (Values(capture[p][slot]), capture[p][slot].shape));
        var other = Values(outputs[1 - slot]);
        stack.train();
        var unclamped = Values(stack.forward(x)[slot]);
        stack.eval();
        return (eval, unclamped, other);
    }

    internal static void AssertClose(float[] expected, float[] actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = double.IsNaN(d) ? double.PositiveInfinity : d; at = i; }
        }
        Assert.True(worst <= tolerance, $"{what}: largest difference {worst:g3} at {at} ({expected[at]} vs {actual[at]})");
    }

    private static double StandardDeviation(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    private static double Accuracy(float[] logits, MiaLab.Core.Data.Dataset data)
    {
        int c = data.NumClasses, right = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var row = logits.AsSpan(i * c, c);
            int best = 0;
            for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
            if (best == data.Labels[i]) right++;
        }
        return (double)right / data.Count;
    }
}
