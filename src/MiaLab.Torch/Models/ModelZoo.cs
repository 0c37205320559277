using MiaLab.Core;
using MiaLab.Core.Config;

namespace MiaLab.Torch.Models;

/// <summary>Builds K stacked models of the architecture a config names.</summary>
public static class ModelZoo
{
    public static StackedModel Create(ModelConfig config, int[] sampleShape, int classes, IReadOnlyList<int> seeds)
    {
        int k = seeds.Count;
        StackedModel model = config.Kind switch
        {
            "mlp" => new Mlp(k, sampleShape.Aggregate(1, (a, b) => a * b), config.Hidden, classes, config.Activation, config.Dropout),
            "cnn" => new SmallCnn(k, RequireImage(sampleShape, "cnn"), config.Channels, classes, config.Dropout),
            "resnet" => new SmallResNet(k, RequireImage(sampleShape, "resnet"), config.Channels, config.BlocksPerStage, classes, config.Dropout),
            _ => throw new InputException($"model.kind '{config.Kind}' is not one of mlp, cnn, resnet"),
        };
        model.Initialize(seeds);
        return model;
    }

    private static int[] RequireImage(int[] sampleShape, string kind) =>
        sampleShape.Length == 3 ? sampleShape
            : throw new InputException($"model.kind '{kind}' needs images [C, H, W] but the data has samples of shape [{string.Join(", ", sampleShape)}]");
}
