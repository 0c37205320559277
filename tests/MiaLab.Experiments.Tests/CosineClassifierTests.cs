using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Torch.Training;
using TorchSharp;

namespace MiaLab.Experiments.Tests;

public class CosineClassifierTests
{
    [Fact]
    public void OutputsLieWithinPlusMinusTheScaleAndReachItOnAClassDirection()
    {
        const double s = 16;
        // An MLP without hidden layers is the classifier alone: inputs 5, classes 3, K = 2 models.
        using var model = ModelZoo.Create(new ModelConfig { Kind = "mlp", Hidden = [], Classifier = "cosine", CosineScale = s }, [5], 3, [1, 2]);
        Assert.Equal(s, ModelZoo.CosineScale(model));
        var x = torch.randn([2L, 50, 5], generator: new torch.Generator(3)) * 10;
        var logits = model.forward(x).data<float>().ToArray();
        Assert.All(logits, v => Assert.InRange(v, -s - 1e-4, s + 1e-4));

        // Features along class 2's weight vector of model 1 give exactly s for that class.
        var weight = model.StackedState().Single(t => t.Name.EndsWith("weight")).Tensor; // [K, in, classes]
        var direction = weight.select(0, 1).select(1, 2).detach().reshape(1, 1, 5).expand(2, 1, 5) * 3;
        var out1 = model.forward(direction).data<float>().ToArray();
        Assert.Equal(s, out1[3 + 2], 3); // model 1, sample 0, class 2
    }

    [Fact]
    public void QueriesOfACosineModelCarryNoMargin()
    {
        // The margin lives in the loss: after training with CosFace the queried logits of a
        // sample are s·cos θ for every class, the true one included, so they stay within ±s.
        var data = SyntheticGaussian.Generate(120, 6, 3, 4.0, seed: 2);
        using var model = ModelZoo.Create(new ModelConfig { Kind = "mlp", Hidden = [16], Classifier = "cosine", CosineScale = 8 }, data.SampleShape, 3, [4]);
        var config = new TrainingConfig { Loss = "cosface", Epochs = 3, BatchSize = 32, LearningRate = 0.1 };
        StackedTrainer.Train(model, config, data, [Enumerable.Range(0, 120).ToArray()], [1], 1);
        var first = TorchModel.QueryEach(model, data, ["identity"])[0];
        var second = TorchModel.QueryEach(model, data, ["identity"])[0];
        Assert.Equal(first, second);
        Assert.All(first, v => Assert.InRange(v, -8 - 1e-4, 8 + 1e-4));
        Assert.Contains(first, v => Math.Abs(v) > 1); // trained: the logits are not all near zero
    }

    [Fact]
    public void MarginLossesRefuseALinearClassifier()
    {
        var data = SyntheticGaussian.Generate(40, 4, 2, 4.0, seed: 2);
        using var model = ModelZoo.Create(new ModelConfig { Kind = "mlp", Hidden = [8] }, data.SampleShape, 2, [4]);
        var e = Assert.Throws<InputException>(() => StackedTrainer.Train(model, new TrainingConfig { Loss = "arcface", Epochs = 1 },
            data, [Enumerable.Range(0, 40).ToArray()], [1], 1));
        Assert.Contains("model.classifier cosine", e.Message);
        var c = new RunConfig();
        c.Training.Loss = "cosface";
        Assert.Contains("needs model.classifier cosine", Assert.Throws<InputException>(() => ConfigFile.Validate(c)).Message);
        c.Model.Classifier = "cosine";
        ConfigFile.Validate(c);
    }

    [Fact]
    public void CosineWeightsSaveAndLoad()
    {
        var data = SyntheticGaussian.Generate(30, 4, 3, 4.0, seed: 2);
        var config = new ModelConfig { Kind = "mlp", Hidden = [8], Classifier = "cosine" };
        using var a = ModelZoo.Create(config, data.SampleShape, 3, [1]);
        string path = Path.Combine(Directory.CreateTempSubdirectory("mialab-cos").FullName, "m.npz");
        ModelWeights.Save(a, 0, path);
        using var b = ModelZoo.Create(config, data.SampleShape, 3, [9, 8]);
        ModelWeights.Load(b, 1, path);
        Assert.Equal(TorchModel.QueryEach(a, data, ["identity"])[0], TorchModel.QueryEach(b, data, ["identity"])[1]);
    }
}
