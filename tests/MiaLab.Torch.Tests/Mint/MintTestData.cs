using MiaLab.Core.Randomness;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Tests.Mint;

/// <summary>Small seeded data and models for the MINT tests.</summary>
internal static class MintTestData
{
    /// <summary>n random 1×8×8 images in 3 classes whose brightness pattern differs by class.</summary>
    public static Dataset TinyImages(int n = 120, int seed = 5)
    {
        var random = new StableRandom((ulong)seed);
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 3)).ToArray();
        var pixels = new float[n * 64];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < 64; p++) pixels[i * 64 + p] = (float)(random.NextDouble() * 0.5 + 0.2 * labels[i] * (p % 2));
        return new Dataset("tiny-images", pixels, [1, 8, 8], labels, 3);
    }

    /// <summary>Overlapping Gaussian classes in 200 dimensions: with 100 training samples a model
    /// fits them only by memorising them, and its outputs on them stand out (large margins).</summary>
    public static Dataset Overlapping(int n = 300) => SyntheticGaussian.Generate(n, 200, 4, 1.0, seed: 3);

    /// <summary>An MLP trained far too long on the first <paramref name="members"/> samples (Adam, no regularisation).</summary>
    public static TorchModel OverfitMlp(Dataset data, int members, int epochs = 60)
    {
        var model = ModelZoo.Create(new ModelConfig { Kind = "mlp", Hidden = [64, 32] }, data.SampleShape, data.NumClasses, [21]);
        var config = new TrainingConfig { Optimizer = "adam", LearningRate = 0.005, Epochs = epochs, BatchSize = 50, Schedule = "constant" };
        StackedTrainer.Train(model, config, data, [Enumerable.Range(0, members).ToArray()], [4], 8);
        return TorchModel.Own(model, data.SampleShape);
    }

    public static string TempDirectory() => Directory.CreateTempSubdirectory("mialab-mint").FullName;
}
