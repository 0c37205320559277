using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using MiaLab.Torch.Models;

namespace MiaLab.Onnx.Tests;

/// <summary>A user's ONNX file behind IModel: PyTorch's own exports, layouts, scaling, outputs, and
/// every mismatch with the data as one line.</summary>
public class OnnxModelTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    [Fact]
    public void A_pytorch_export_gives_pytorchs_logits()
    {
        var x = Npy.Read(Data("pytorch-mlp-inputs.npy"));
        var expected = Npy.Read(Data("pytorch-mlp-logits.npy")).ToFloat32();
        using var model = OnnxModel.Load(new OnnxModelConfig { Onnx = Data("pytorch-mlp.onnx") }, [10], 3);
        ExportTests.AssertClose(expected, model.Run(x.ToFloat32(), 7).Outputs, "logits");
        Assert.Contains("logits", model.CapturePoints); // a user's file lists its node outputs
    }

    [Fact]
    public void A_fixed_batch_pytorch_export_with_softmax_gives_log_probabilities_batch_by_batch()
    {
        // torch.onnx.export without dynamic_axes fixes the batch to 1; MiaLab runs it sample by sample.
        var images = Npy.Read(Data("pytorch-cnn-inputs.npy")).ToFloat32();
        var probs = Npy.Read(Data("pytorch-cnn-probs.npy")).ToFloat32();
        using var model = OnnxModel.Load(new OnnxModelConfig { Onnx = Data("pytorch-cnn.onnx"), Output = "probabilities" }, [1, 8, 8], 5);
        var logits = model.Run(images, 5).Outputs;
        ExportTests.AssertClose(probs.Select(p => MathF.Log(p)).ToArray(), logits, "log p", 1e-5);
        // log p are logits: softmax gives the probabilities back.
        for (int i = 0; i < 5; i++)
        {
            var row = logits.AsSpan(i * 5, 5).ToArray();
            double sum = row.Sum(v => Math.Exp(v));
            for (int c = 0; c < 5; c++) Assert.Equal(probs[i * 5 + c], Math.Exp(row[c]) / sum, 5);
        }
    }

    [Fact]
    public void Nhwc_layout_and_mean_std_scaling_reach_the_model_as_declared()
    {
        // A model that returns its input flattened shows exactly what MiaLab fed it.
        // MiaLab's sample [C=2, H=1, W=2] = channel 0: a b, channel 1: c d → NHWC [1, 2, 2] = a c b d.
        using var file = Identity([1, 2, 2]);
        float[] sample = [0.1f, 0.2f, 0.3f, 0.4f];
        using var nhwc = OnnxModel.Load(new OnnxModelConfig { Onnx = file.Path, Layout = "nhwc" }, [2, 1, 2], 4);
        Assert.Equal([0.1f, 0.3f, 0.2f, 0.4f], nhwc.Run(sample, 1).Outputs);

        using var scaled = OnnxModel.Load(new OnnxModelConfig { Onnx = file.Path, Layout = "nhwc", Scaling = "mean/std", Mean = [0.5, 0.25], Std = [0.5, 0.25] },
            [2, 1, 2], 4);
        // (0.1 − 0.5)/0.5 = −0.8, (0.3 − 0.25)/0.25 = 0.2, (0.2 − 0.5)/0.5 = −0.6, (0.4 − 0.25)/0.25 = 0.6
        ExportTests.AssertClose([-0.8f, 0.2f, -0.6f, 0.6f], scaled.Run(sample, 1).Outputs, "mean/std", 1e-6);

        using var raw = Identity([2, 1, 2]);
        using var pixels = OnnxModel.Load(new OnnxModelConfig { Onnx = raw.Path, Scaling = "0-255" }, [2, 1, 2], 4);
        ExportTests.AssertClose([25.5f, 51f, 76.5f, 102f], pixels.Run(sample, 1).Outputs, "0-255", 1e-4);
    }

    [Fact]
    public void Activations_come_from_a_copy_and_the_users_file_is_never_edited()
    {
        var data = TestModels.FashionMnistImages.Subset([0, 1, 2]);
        using var stack = ModelZoo.Create(TestModels.Cnn(), data.SampleShape, data.NumClasses, [5]);
        using var file = TestModels.Temp("user.onnx");
        var proto = OnnxExport.ToModel(stack.ToGraph(0, data.SampleShape));
        proto.MetadataProps.Clear(); // as a file from another tool: no capture points recorded
        File.WriteAllBytes(file.Path, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        string before = FileHash.Sha256(file.Path);

        using var model = OnnxModel.Load(new OnnxModelConfig { Onnx = file.Path }, data.SampleShape, data.NumClasses);
        Assert.Contains("conv1", model.CapturePoints); // node outputs, in file order
        Assert.True(model.CapturePoints.ToList().IndexOf("conv1") < model.CapturePoints.ToList().IndexOf("conv2"));
        var run = model.Run(data.Features, 3, ["conv1", "dense"]);
        Assert.Equal([3, 4, 14, 14], run.Activations["conv1"].Shape);
        Assert.Equal([3, SmallCnn.DenseWidth], run.Activations["dense"].Shape);
        Assert.Equal(before, FileHash.Sha256(file.Path));
        Assert.Equal(before, model.Sha256);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_one_line()
    {
        using var file = TestModels.Temp("model.onnx");
        File.WriteAllText(file.Path, "this is a text file, not a model\n");
        var e = Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = file.Path }, [10], 3));
        Assert.StartsWith($"{file.Path}: not an ONNX model", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Equal($"{file.Folder}/none.onnx: ONNX file not found",
            Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = Path.Combine(file.Folder, "none.onnx") }, [10], 3)).Message);
    }

    [Fact]
    public void A_missing_input_name_a_wrong_shape_or_a_wrong_class_count_is_one_line()
    {
        string mlp = Data("pytorch-mlp.onnx");
        Assert.Equal($"{mlp}: has no input 'pixels' (target.input); its inputs are: features",
            Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = mlp, Input = "pixels" }, [10], 3, "target")).Message);
        Assert.Equal($"{mlp}: output 'logits' gives 3 values per sample (shape [?, 3]) but the data has 10 classes",
            Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = mlp }, [10], 10)).Message);
        Assert.Equal($"{mlp}: input 'features' takes [?, 10] (batch first) but the data gives [batch, 784] (flat of samples [1, 28, 28]); check the layout and the dataset",
            Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = mlp, Layout = "flat" }, [1, 28, 28], 3)).Message);
        Assert.Equal("target.layout nchw needs images [C, H, W], but the data's samples are vectors [10]; use layout flat",
            Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = mlp, Layout = "nchw" }, [10], 3, "target")).Message);
        Assert.Equal($"{mlp}: has no output 'probs' (model.output_name); its outputs are: logits",
            Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = mlp, OutputName = "probs" }, [10], 3)).Message);
    }

    [Fact]
    public void Device_cuda_on_the_cpu_build_is_one_line()
    {
        var e = Assert.Throws<InputException>(() => OnnxModel.Load(new OnnxModelConfig { Onnx = Data("pytorch-mlp.onnx") }, [10], 3, device: "cuda"));
        Assert.Equal(OnnxDevice.NoCudaMessage, e.Message);
    }

    /// <summary>An ONNX file whose output is its input [batch, *shape] flattened.</summary>
    private static TempPath Identity(int[] shape)
    {
        var file = TestModels.Temp("identity.onnx");
        int values = shape.Aggregate(1, (a, d) => a * d);
        OnnxExport.Write(new ModelGraph("identity", shape, [values], [new FlattenOp(ModelGraph.InputName, ModelGraph.LogitsName)], []), file.Path);
        return file;
    }
}
