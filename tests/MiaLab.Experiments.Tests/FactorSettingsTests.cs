using MiaLab.Experiments.Studies;
using MiaLab.Core;
using MiaLab.Core.Config;

namespace MiaLab.Experiments.Tests;

public class FactorSettingsTests
{
    [Fact]
    public void TheDefaultStudyHasTheIssuesFactorsAndValues()
    {
        var plan = FactorStudyPlan.Default();
        var settings = plan.Settings();
        string[] Values(string factor) => settings.Where(s => s.Factor == factor).Select(s => s.Value).ToArray();
        Assert.Equal(Factors.All, settings.Select(s => s.Factor).Distinct());
        Assert.Equal(["x1", "x10", "x20", "x30"], Values(Factors.TimesSeen));
        Assert.Equal(["8", "32", "64", "256"], Values(Factors.BatchSize));
        Assert.Equal(["off", "on"], Values(Factors.Dropout));
        Assert.Equal(["cross-entropy", "label-smoothing", "focal", "cosface", "arcface"], Values(Factors.Loss));
        Assert.Equal(15, settings.Count);
        Assert.Equal(settings.Count, settings.Select(s => s.Name).Distinct().Count());

        // The default base: the MINT paper's CNN (three blocks, dropout on) on Fashion-MNIST, one model per pass.
        Assert.Equal(MiaLab.Torch.Models.MintPaperCnn.Kind, plan.Base.Model.Kind);
        Assert.Equal(3, plan.Base.Model.Channels.Length);
        Assert.Equal(plan.DropoutRate, plan.Base.Model.Dropout);
        Assert.Equal("fashion-mnist", plan.Base.Dataset.Source);
        Assert.Equal(1, plan.Base.Training.ModelsPerPass);
        Assert.True(plan.Base.Dataset.Holdout > 0);
    }

    [Fact]
    public void EachSettingChangesOnlyItsFactor()
    {
        var plan = FactorStudyPlan.Default();
        var b = plan.Base;
        foreach (var s in plan.Settings())
        {
            var c = s.Config;
            switch (s.Factor)
            {
                case Factors.TimesSeen:
                    int times = int.Parse(s.Value[1..]);
                    Assert.Equal(times, c.Training.RepeatTimes);
                    Assert.Equal(times > 1 ? 0.25 : 0, c.Training.RepeatFraction);
                    Same(b, c, t => { t.Training.RepeatTimes = c.Training.RepeatTimes; t.Training.RepeatFraction = c.Training.RepeatFraction; });
                    break;
                case Factors.BatchSize:
                    Assert.Equal(int.Parse(s.Value), c.Training.BatchSize);
                    Same(b, c, t => t.Training.BatchSize = c.Training.BatchSize);
                    break;
                case Factors.Dropout:
                    Assert.Equal(s.Value == "on" ? 0.25 : 0, c.Model.Dropout);
                    Same(b, c, t => t.Model.Dropout = c.Model.Dropout);
                    break;
                case Factors.Loss:
                    string expected = s.Value == "label-smoothing" ? "cross-entropy" : s.Value;
                    Assert.Equal(expected, c.Training.Loss);
                    Assert.Equal(s.Value is "cosface" or "arcface" ? "cosine" : "linear", c.Model.Classifier);
                    Assert.Equal(s.Value == "label-smoothing" ? 0.1 : 0, c.Training.LabelSmoothing);
                    Same(b, c, t => { t.Training.Loss = c.Training.Loss; t.Model.Classifier = c.Model.Classifier; t.Training.LabelSmoothing = c.Training.LabelSmoothing; });
                    break;
                default:
                    Assert.Fail($"unexpected factor {s.Factor}");
                    break;
            }
        }
    }

    /// The setting's config equals the base once its factor's fields are copied over.
    private static void Same(RunConfig baseConfig, RunConfig setting, Action<RunConfig> copyFactor)
    {
        var t = ConfigFile.Clone(baseConfig);
        copyFactor(t);
        Assert.Equal(ConfigFile.ToJson(setting), ConfigFile.ToJson(t));
    }

    [Fact]
    public void SettingsEqualToTheBaseShareItsRunDirectory()
    {
        var plan = FactorStudyPlan.Default();
        var names = StudyRunner.RunNames(plan.Settings(), plan.Base);
        string[] shared = ["times-seen-x1", "batch-size-32", "dropout-on", "loss-cross-entropy"];
        foreach (var s in shared) Assert.Equal(StudyRunner.BaseRun, names[s]);
        Assert.Equal("times-seen-x30", names["times-seen-x30"]);
        Assert.Equal(12, names.Values.Distinct().Count());
    }

    [Fact]
    public void TheQuickStudyHasOneOrTwoValuesPerFactor()
    {
        var settings = FactorStudyPlan.Quick().Settings();
        Assert.Equal(Factors.All, settings.Select(s => s.Factor).Distinct());
        Assert.All(settings.GroupBy(s => s.Factor), g => Assert.InRange(g.Count(), 1, 2));
        Assert.True(FactorStudyPlan.QuickBase().Dataset.Population < FactorStudyPlan.DefaultBase().Dataset.Population);
    }

    [Fact]
    public void BadValuesAreInputErrors()
    {
        Assert.Throws<InputException>(() => (FactorStudyPlan.Default() with { Losses = ["hinge"] }).Settings());
        Assert.Throws<InputException>(() => (FactorStudyPlan.Default() with { Dropout = ["maybe"] }).Settings());
        Assert.Throws<InputException>(() => (FactorStudyPlan.Default() with { TimesSeen = [0] }).Settings());
        var one = FactorStudyPlan.DefaultBase();
        one.Plan.Models = 1;
        Assert.Throws<InputException>(() => FactorStudyPlan.Default(one));
    }
}

public class FactorExampleTests
{
    [Fact]
    public void TheExampleIsTheDefaultBase()
    {
        var example = ConfigFile.Load(Path.Combine(TestPaths.Examples(), "factors.yaml"));
        Assert.Equal(ConfigFile.ToJson(FactorStudyPlan.DefaultBase()), ConfigFile.ToJson(example));
    }
}
