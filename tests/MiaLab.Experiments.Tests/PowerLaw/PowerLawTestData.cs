using MiaLab.Core.Config;
using MiaLab.Experiments.PowerLaw;

namespace MiaLab.Experiments.Tests.PowerLaw;

/// <summary>A power-law study small enough for unit tests: 600 synthetic Gaussian vectors in 6 classes, an MLP
/// backbone pretrained on classes 0–2, 9 linear heads on pools from classes 3–5, S = 2, 4, 8, two seeds.</summary>
internal static class PowerLawTestData
{
    public static RunConfig Config()
    {
        var c = PowerLawPlan.QuickBase();
        c.Dataset.Source = "synthetic";
        c.Dataset.Synthetic.Samples = 600;
        c.Dataset.Synthetic.Features = 12;
        c.Dataset.Synthetic.Classes = 6;
        c.Dataset.Synthetic.Separation = 2.0;
        c.Plan.Models = 9;
        c.Training.ModelsPerPass = 9;
        c.Training.Epochs = 10;
        c.PowerLaw.Shots = [2, 4, 8];
        c.PowerLaw.Seeds = 2;
        c.PowerLaw.Classes = [3, 4, 5];
        c.PowerLaw.Backbone.Kind = "mlp";
        c.PowerLaw.Backbone.Hidden = [16];
        c.PowerLaw.Backbone.Point = "hidden1";
        c.PowerLaw.Backbone.Classes = [0, 1, 2];
        c.PowerLaw.Backbone.Samples = 0;
        c.PowerLaw.Backbone.Epochs = 3;
        return c;
    }

    public static PowerLawPlan Plan(RunConfig? config = null) =>
        PowerLawPlan.Default(config ?? Config()) with { Attacks = [new("lira-online-fixed-var", 0), new("rmia-online", 4)], Resamples = 50 };
}
