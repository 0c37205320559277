using MiaLab.Core.Config;
using MiaLab.Core.Models;
using MiaLab.Torch.Models;

namespace MiaLab.Onnx.Tests;

/// <summary>An exported model, run by ONNX Runtime, gives TorchSharp's logits and activations.</summary>
public class ExportTests
{
    public static TheoryData<string> Architectures => ["mlp", "mlp-tanh", "mlp-cosine", "cnn", "cnn-cosine", "resnet"];

    private static ModelConfig Config(string name) => name switch
    {
        "mlp" => TestModels.Mlp(),
        "mlp-tanh" => TestModels.Mlp(activation: "tanh"),
        "mlp-cosine" => TestModels.Mlp(classifier: "cosine"),
        "cnn" => TestModels.Cnn(),
        "cnn-cosine" => new ModelConfig { Kind = "cnn", Channels = [4, 8], Classifier = "cosine" },
        "resnet" => TestModels.ResNet(),
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
        Assert.Equal(ModelGraph.OutputName, Assert.Single(model.Graph.Output).Name);
        Assert.Equal(OnnxExport.Opset, Assert.Single(model.OpsetImport).Version);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"], model.Graph.Node.Select(n => n.OpType));
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
