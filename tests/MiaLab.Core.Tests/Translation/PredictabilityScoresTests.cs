using MiaLab.Core.Data;
using MiaLab.Core.Models;
using MiaLab.Core.Randomness;
using MiaLab.Core.Translation;

namespace MiaLab.Core.Tests.Translation;

/// <summary>L_pred through a hand-written backbone behind <see cref="IModel"/>: its stages are fixed
/// functions of the input pixel, so which targets are predictable is known exactly.</summary>
public sealed class PredictabilityScoresTests
{
    /// <summary>Stages x, x², x³, cos x of a 1×6×6 input, each a [B, 1, 6, 6] map (or only the first <paramref name="stages"/>).</summary>
    private sealed class PixelFunctions(int stages = 4) : IModel
    {
        private static readonly Func<float, float>[] Functions = [x => x, x => x * x, x => x * x * x, MathF.Cos];
        public IReadOnlyList<int> InputShape => [1, 6, 6];
        public IReadOnlyList<int> OutputShape => [1];
        public IReadOnlyList<string> CapturePoints => [.. Enumerable.Range(1, stages).Select(s => $"s{s}"), "out"];
        public string Sha256 => "";
        public string Description => "pixel functions";

        public ModelRun Run(ReadOnlySpan<float> inputs, int count, IReadOnlyList<string>? capture = null)
        {
            var x = inputs.ToArray();
            var maps = new Dictionary<string, ActivationBatch>();
            foreach (var p in capture ?? [])
                maps[p] = p == "out" ? new ActivationBatch(new float[count], [count, 1])
                    : new ActivationBatch(x.Select(Functions[int.Parse(p[1..]) - 1]).ToArray(), [count, 1, 6, 6]);
            return new ModelRun(new float[count], maps);
        }

        public void Dispose() { }
    }

    private static Dataset Pairs(Func<float, float> target)
    {
        var random = new StableRandom(2);
        var inputs = Enumerable.Range(0, 3 * 36).Select(_ => (float)random.NextDouble()).ToArray();
        return new Dataset("d", inputs, [1, 6, 6], new long[3], 1).WithTargets(inputs.Select(target).ToArray(), [1, 6, 6]);
    }

    [Fact]
    public void A_target_linear_in_the_stage_features_has_zero_predictability_error()
    {
        var data = Pairs(x => 0.2f + 0.5f * x - 0.3f * x * x + 0.1f * MathF.Cos(x));
        var scores = PredictabilityScores.Compute(new PixelFunctions(), data, new PredictabilityOptions(6, 0.7, Ridge: 0));
        Assert.All(scores, s => Assert.True(s < 1e-5, $"L_pred {s}"));
    }

    [Fact]
    public void A_target_outside_their_span_is_not_predicted_exactly_and_reruns_agree()
    {
        var data = Pairs(x => x > 0.5f ? 1f : 0f);
        var options = new PredictabilityOptions(6, 0.7, Ridge: 1e-3, Seed: 4);
        var scores = PredictabilityScores.Compute(new PixelFunctions(), data, options);
        Assert.All(scores, s => Assert.True(s > 1e-3, $"L_pred {s}"));
        Assert.Equal(scores, PredictabilityScores.Compute(new PixelFunctions(), data, options));
    }

    [Fact]
    public void A_backbone_with_fewer_than_four_stages_is_a_user_error()
    {
        var e = Assert.Throws<InputException>(() => PredictabilityScores.Compute(new PixelFunctions(stages: 3), Pairs(x => x), new PredictabilityOptions(6)));
        Assert.Contains("needs at least 4", e.Message);
    }

    [Fact]
    public void Named_stages_must_be_four_feature_maps_of_the_backbone()
    {
        var backbone = new PixelFunctions();
        Assert.Equal(["s4", "s3", "s2", "s1"], PredictabilityScores.CheckStages(backbone, ["s4", "s3", "s2", "s1"], "key"));
        string Refused(string[] stages) => Assert.Throws<InputException>(() => PredictabilityScores.CheckStages(backbone, stages, "key")).Message;
        Assert.Equal("key: 's9' is not a tensor of pixel functions; it has: s1, s2, s3, s4, out", Refused(["s1", "s2", "s3", "s9"]));
        Assert.Equal("key: 'out' gives activations of shape [1, 1] for one sample, not feature maps [batch, C, H, W]", Refused(["s1", "s2", "s3", "out"]));
        Assert.StartsWith("key names 3 tensor(s)", Refused(["s1", "s2", "s3"]));
    }

    [Fact]
    public void A_grid_larger_than_the_target_is_a_user_error()
    {
        var e = Assert.Throws<InputException>(() => PredictabilityScores.Compute(new PixelFunctions(), Pairs(x => x), new PredictabilityOptions(7)));
        Assert.Contains("larger than the 6×6 target", e.Message);
    }
}
