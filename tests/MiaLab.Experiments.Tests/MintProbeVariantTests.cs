using MiaLab.Core.Models;
using MiaLab.Torch.Mint;

namespace MiaLab.Experiments.Tests;

public class MintProbeVariantTests
{
    /// <summary>Only the names matter to <see cref="MintProbe.Variants"/>.</summary>
    private sealed class NamedPoints(params string[] points) : IModel
    {
        public IReadOnlyList<int> InputShape => [1, 28, 28];
        public IReadOnlyList<int> OutputShape => [10];
        public IReadOnlyList<string> CapturePoints => points;
        public string Sha256 => "";
        public string Description => "capture points only";
        public ModelRun Run(ReadOnlySpan<float> inputs, int count, IReadOnlyList<string>? capture = null) => throw new NotSupportedException();
        public void Dispose() { }
    }

    [Fact]
    public void Every_probe_variant_trains_a_different_detector_and_the_paper_row_is_the_weight_reading()
    {
        using var model = new NamedPoints("block1", "block2", "dense", "logits");
        var variants = MintProbe.Variants(model, ["block1", "block2"], cnn: true, seed: 7);

        // Two rows with one key would be one detector under two names (the cache keeps one of them).
        var repeated = variants.GroupBy(v => v.Key).Where(g => g.Count() > 1).Select(g => string.Join(" = ", g.Select(v => v.Name)));
        Assert.Empty(repeated);

        var paper = Assert.Single(variants, v => v.Group == "paper");
        Assert.Equal((0.1, MintPenalties.Weight), (paper.Training.L1, paper.Training.Penalty));
        var activity = Assert.Single(variants, v => v.Name == "L1 0.1 on activity");
        Assert.Equal((0.1, MintPenalties.Activity), (activity.Training.L1, activity.Training.Penalty));
        // The default row is the detector mint train uses by default.
        var standard = Assert.Single(variants, v => v.Group == "default");
        Assert.Equal(new MintTrainingOptions { Seed = 7 }, standard.Training);
        Assert.Null(standard.Points);
        Assert.Equal(["cnn on block1", "cnn on block2"], variants.Where(v => v.Group == "cnn").Select(v => v.Name));
        Assert.Equal(MintProbe.Groups, variants.Select(v => v.Group).Distinct());
    }

    [Fact]
    public void The_default_input_of_a_classifier_is_its_confidence_view_and_all_expands_to_every_point()
    {
        using var model = new NamedPoints("block1", "dense", "logits");
        Assert.Equal([ActivationCapture.Confidence], ActivationCapture.ResolvePoints(model, null));
        Assert.Equal(["block1", "dense", "logits"], ActivationCapture.ResolvePoints(model, [ActivationCapture.All]));
        Assert.Equal(["block1", "dense", "logits", ActivationCapture.Confidence],
            ActivationCapture.ResolvePoints(model, [ActivationCapture.All, ActivationCapture.Confidence]));
        var twice = Assert.Throws<MiaLab.Core.InputException>(() => ActivationCapture.ResolvePoints(model, [ActivationCapture.All, "dense"]));
        Assert.Contains("'dense' is listed twice", twice.Message);
    }
}
