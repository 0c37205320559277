using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Pipeline;

namespace MiaLab.Core.Tests.Pipeline;

/// <summary>What an image-to-image run accepts that a classifier run does not, and what it refuses.</summary>
public sealed class ImageToImageFitTests
{
    private const string Unet = "model:\n  kind: unet\n  channels: [8, 16]\ntraining:\n  loss: l1\ntask:\n  kind: edges2image\n";

    [Fact]
    public void An_image_to_image_run_takes_no_defense_and_no_external_target()
    {
        Assert.Equal("edges2image", ConfigFile.Parse(Unet, "u.yaml").Task!.Kind);
        var defense = Assert.Throws<InputException>(() => ConfigFile.Parse(Unet + "defense:\n  kind: weighted-smoothing\n  smoothing_sigma: 0.1\n", "u.yaml"));
        Assert.Equal("u.yaml: defense.kind weighted-smoothing is for classifiers (it acts on logits or per-example gradients of a classifier); " +
            "an image-to-image run trains without a defense", defense.Message);
        var target = Assert.Throws<InputException>(() => ConfigFile.Parse(Unet + "target:\n  onnx: m.onnx\n", "u.yaml"));
        Assert.Contains("an image-to-image run trains its own U-Nets", target.Message);
    }

    [Fact]
    public void Labels_are_checked_for_classifier_runs_only()
    {
        // The files task has no labels (all 0): one class, which a classifier run refuses.
        var data = new Dataset("pairs", new float[4 * 16], [1, 4, 4], new long[4], 1);
        var unet = ConfigFile.Parse(Unet, "u.yaml");
        DataFit.Check(unet, data);
        var classifier = ConfigFile.Parse("model:\n  kind: cnn\n", "c.yaml");
        Assert.Contains("has 1 class", Assert.Throws<InputException>(() => DataFit.Check(classifier, data)).Message);
    }
}
