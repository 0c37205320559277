using MiaLab.Core;
using MiaLab.Core.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>Builds K stacked models of the architecture a config names.</summary>
public static class ModelZoo
{
    /// <param name="targetShape">An image-to-image model's output [C, H, W] (the data's target shape); unused by classifiers.</param>
    public static StackedModel Create(ModelConfig config, int[] sampleShape, int classes, IReadOnlyList<int> seeds, int[]? targetShape = null)
    {
        int k = seeds.Count;
        StackedModel model = config.Kind switch
        {
            "mlp" => new Mlp(k, sampleShape.Aggregate(1, (a, b) => a * b), config.Hidden, classes, config.Activation, config.Dropout,
                config.Classifier, config.CosineScale),
            "cnn" => new SmallCnn(k, RequireImage(sampleShape, "cnn"), config.Channels, classes, config.Dropout,
                config.Classifier, config.CosineScale),
            "resnet" => new SmallResNet(k, RequireImage(sampleShape, "resnet"), config.Channels, config.BlocksPerStage, classes, config.Dropout,
                config.Classifier, config.CosineScale),
            MintPaperCnn.Kind => new MintPaperCnn(k, RequireImage(sampleShape, MintPaperCnn.Kind), config.Channels, classes, config.Dropout,
                config.Classifier, config.CosineScale),
            "unet" => new UNet(k, RequireImage(sampleShape, "unet"), config.Channels,
                targetShape ?? throw new InputException("model.kind unet needs image targets: give the run a task section")),
            _ => throw new InputException($"model.kind '{config.Kind}' is not one of {string.Join(", ", ConfigFile.ModelKinds)}"),
        };
        model.Initialize(seeds);
        return model;
    }

    /// <summary>The classifier layer of every architecture: linear, or cosine (s·cos θ, for CosFace and ArcFace).</summary>
    internal static nn.Module<Tensor, Tensor> LastLayer(int models, int inputs, int classes, string classifier, double cosineScale) => classifier switch
    {
        "linear" => new StackedLinear(models, inputs, classes),
        "cosine" => new StackedCosineClassifier(models, inputs, classes, cosineScale),
        _ => throw new InputException($"model.classifier '{classifier}' is not one of linear, cosine"),
    };

    /// <summary>s of the model's cosine classifier, or null when its last layer is linear.</summary>
    public static double? CosineScale(StackedModel model) =>
        model.modules().OfType<StackedCosineClassifier>().FirstOrDefault()?.Scale;

    private static int[] RequireImage(int[] sampleShape, string kind) =>
        sampleShape.Length == 3 ? sampleShape
            : throw new InputException($"model.kind '{kind}' needs images [C, H, W] but the data has samples of shape [{string.Join(", ", sampleShape)}]");
}
