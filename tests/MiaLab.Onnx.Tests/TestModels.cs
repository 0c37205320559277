using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Onnx.Tests;

/// <summary>Real inputs (Fashion-MNIST) and briefly trained zoo models, shared by the tests.</summary>
public static class TestModels
{
    private static readonly Lazy<Dataset> Images = new(() => FashionMnist.Load().Train.Subset(Enumerable.Range(0, 600).ToArray()));

    /// <summary>600 Fashion-MNIST training images [1, 28, 28], pixel/255.</summary>
    public static Dataset FashionMnistImages => Images.Value;

    /// <summary>One model of the kind the config names, trained (Adam) for four epochs on 320 images so its
    /// weights (and batch-norm statistics) are no longer the initial ones. Seeded.</summary>
    public static StackedModel Trained(ModelConfig model, Dataset data, int seed = 3)
    {
        var stack = ModelZoo.Create(model, data.SampleShape, data.NumClasses, [seed]);
        var training = new TrainingConfig { Optimizer = "adam", Epochs = 4, BatchSize = 64, LearningRate = 0.003, Schedule = "constant", ModelsPerPass = 1 };
        StackedTrainer.Train(stack, training, data, [Enumerable.Range(0, 320).ToArray()], [seed + 1], seed + 2);
        return stack;
    }

    public static ModelConfig Mlp(string classifier = "linear", string activation = "relu") =>
        new() { Kind = "mlp", Hidden = [64, 32], Activation = activation, Classifier = classifier };

    public static ModelConfig Cnn() => new() { Kind = "cnn", Channels = [4, 8] };

    public static ModelConfig ResNet() => new() { Kind = "resnet", Channels = [4, 8], BlocksPerStage = 1 };

    /// <summary>A fresh temporary file path that is deleted with the returned handle.</summary>
    public static TempPath Temp(string name) => new(Path.Combine(Directory.CreateTempSubdirectory("mialab-onnx").FullName, name));
}

public sealed class TempPath(string path) : IDisposable
{
    public string Path { get; } = path;
    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
