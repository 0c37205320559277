using System.Text.Json;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Experiments.PowerLaw;
using MiaLab.Experiments.Studies;

namespace MiaLab.Experiments.Tests.PowerLaw;

public sealed class PowerLawStudyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mialab-power-law-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheStudyRunsEndToEndAndARerunReusesFeaturesAndHeads()
    {
        var plan = PowerLawTestData.Plan();
        string folder = Path.Combine(_dir, "study");
        var result = PowerLawStudy.Run(plan, folder);

        Assert.Equal(6, result.Rows.Count); // S = 2, 4, 8 × 2 seeds
        Assert.Equal(["s0002-seed0", "s0002-seed1", "s0004-seed0", "s0004-seed1", "s0008-seed0", "s0008-seed1"], result.Rows.Select(r => r.Run));
        foreach (var r in result.Rows)
        {
            var m = r.Measures;
            Assert.Equal(2 * r.Setting.Shots * 3, m.Samples);
            Assert.Equal(16, m.Features);
            Assert.Equal(9, m.Models);
            Assert.Equal(1, m.Passes);
            Assert.False(m.FeaturesReused);
            // LiRA against all 9 heads, RMIA against 4; 3 subsets × 3 levels each.
            Assert.Equal(2 * 3 * 3, m.Series.Count);
            Assert.All(m.Series.Where(s => s.Attack == "lira-online-fixed-var"), s => Assert.Equal(9, s.Targets));
            Assert.All(m.Series.Where(s => s.Attack == "rmia-online"), s => Assert.Equal(4, s.Targets));
            var all = m.Find("lira-online-fixed-var", PowerLawMeasures.All, 0.1)!;
            // The pairs of every target, less the few LiRA cannot score (a sample with fewer than 2 OUT references among 8).
            Assert.InRange(all.Members + all.NonMembers, 0.9 * 9 * m.Samples, 9 * m.Samples);
            Assert.InRange(all.Value, all.Low, all.High);
            foreach (var file in new[] { PoolFeatures.File, PoolFeatures.RecordFile, PowerLawHeads.KeepFile, PowerLawHeads.LogitsFile, PowerLawHeads.RecordFile, SettingMeasurement.BootstrapFile })
                Assert.True(File.Exists(Path.Combine(folder, r.Run, file)), $"{r.Run}/{file} missing");
        }
        Assert.True(File.Exists(Path.Combine(folder, PowerLawBackbone.Folder, PowerLawBackbone.WeightsFile)));
        Assert.True(result.Backbone.Pretrained);
        Assert.InRange(result.Backbone.TrainAccuracy!.Value, 0.5, 1.0); // three well-separated Gaussian classes

        // One law per attack, subset and level; the JSON carries each fit as plain numbers.
        Assert.Equal(18, result.Laws.Count);
        using (var json = JsonDocument.Parse(File.ReadAllText(result.Study.JsonPath)))
        {
            var fits = json.RootElement.GetProperty("summary").GetProperty("fits");
            Assert.Equal(18, fits.GetArrayLength());
            var first = fits[0];
            Assert.Equal("lira-online-fixed-var", first.GetProperty("attack").GetString());
            Assert.Equal(JsonValueKind.Number, first.GetProperty("beta_s").ValueKind);
            Assert.Equal(2, first.GetProperty("beta_s_ci95").GetArrayLength());
            Assert.Equal(3, first.GetProperty("points").GetArrayLength());
        }
        foreach (var file in new[] { result.Study.MarkdownPath, result.Study.CsvPath, result.Study.ReportPath, result.Study.TableCsvPath("fits"), result.Study.TableCsvPath("vulnerable") })
            Assert.True(File.Exists(file), $"{file} missing");
        var csv = File.ReadAllLines(result.Study.CsvPath);
        Assert.Equal(4, csv.Length); // header + S = 2, 4, 8
        Assert.StartsWith("S,Pool,Test acc.,lira-online-fixed-var at 10% FPR", csv[0]);
        string html = File.ReadAllText(result.Study.ReportPath);
        Assert.Equal(4, html.Split("<img src=\"data:image/png;base64,").Length - 1); // LiRA all, top 1%, top 0.1%; RMIA all
        Assert.Contains("β_S", html);

        // A rerun measures nothing and trains nothing.
        var stamps = Directory.GetFiles(folder, "*.npy", SearchOption.AllDirectories).Append(Path.Combine(folder, "backbone", "weights.npz"))
            .ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var again = PowerLawStudy.Run(plan, folder);
        foreach (var (file, stamp) in stamps) Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
        Assert.Equal(result.Laws.Select(l => l.Estimate.Line?.BetaS), again.Laws.Select(l => l.Estimate.Line?.BetaS));

        // Another analysis measures every row again, from the stored features and heads.
        var other = PowerLawStudy.Run(plan with { Resamples = 20 }, folder);
        Assert.All(other.Rows, r => Assert.True(r.Measures.FeaturesReused && r.Measures.HeadsReused, r.Run));
        foreach (var (file, stamp) in stamps.Where(s => Path.GetFileName(s.Key) is PoolFeatures.File or PowerLawHeads.LogitsFile))
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
        Assert.Equal(result.Rows.Select(r => r.Measures.Find("lira-online-fixed-var", PowerLawMeasures.All, 0.01)!.Value),
            other.Rows.Select(r => r.Measures.Find("lira-online-fixed-var", PowerLawMeasures.All, 0.01)!.Value));
    }

    [Fact]
    public void TheExampleIsTheDefaultBase()
    {
        var example = ConfigFile.Load(Path.Combine(TestPaths.Examples(), "power-law.yaml"));
        Assert.Equal(ConfigFile.ToJson(PowerLawPlan.DefaultBase()), ConfigFile.ToJson(example));
    }

    [Fact]
    public void SettingsAreEverySAndSeedWithTheirOwnConfig()
    {
        var plan = PowerLawPlan.Default();
        var settings = plan.Settings();
        Assert.Equal(30, settings.Count);
        Assert.Equal("s0001-seed0", settings[0].Name);
        Assert.Equal("s0512-seed2", settings[^1].Name);
        Assert.All(settings, s => Assert.Equal([s.Shots], s.Config.PowerLaw.Shots));
        Assert.Equal([0, 1, 2], settings.Take(3).Select(s => s.Config.Seed));
        Assert.Equal(257, settings[0].Config.Plan.Models);
        Assert.Equal(30, settings.Select(s => ConfigFile.Sha256(s.Config)).Distinct().Count());
        // --shadows 64 keeps training every head in one pass.
        var k64 = plan.WithShadows(64);
        Assert.Equal((65, 65), (k64.Base.Plan.Models, k64.Base.Training.ModelsPerPass));
        Assert.Equal([5, 6, 7], plan.WithClasses(3).Base.PowerLaw.Classes);
    }

    [Fact]
    public void AFolderTrainedWithAnotherConfigIsRefusedBeforeAnythingIsTrained()
    {
        var plan = PowerLawTestData.Plan() with { Resamples = 0 };
        var small = plan.WithShots([2, 3, 4]);
        string folder = Path.Combine(_dir, "study");
        PowerLawStudy.Run(small, folder);
        var config = ConfigFile.Clone(small.Base);
        config.Training.Epochs = 11;
        var e = Assert.Throws<InputException>(() => PowerLawStudy.Run(PowerLawTestData.Plan(config) with { Resamples = 0 }, folder));
        Assert.Contains("another config", e.Message);
    }

    public static TheoryData<string, Func<PowerLawPlan>, string> BadInputs() => new()
    {
        { "S < 1", () => PowerLawTestData.Plan().WithShots([0, 2, 4]), "must be at least 1 (got 0)" },
        { "S < 1 in the config", () => PowerLawTestData.Plan(With(c => c.PowerLaw.Shots = [1, -2, 4])), "power_law.shots[1] must be at least 1" },
        { "fewer than three S values", () => PowerLawTestData.Plan().WithShots([2, 4]), "gives 2 S values (2, 4): fewer than three S values are left to fit" },
        { "a repeated S", () => PowerLawTestData.Plan().WithShots([2, 4, 4]), "power_law.shots lists 4 twice" },
        { "K < 2", () => PowerLawTestData.Plan().WithShadows(1), "--shadows must be at least 2" },
        { "K < 2 in the config", () => PowerLawTestData.Plan(With(c => c.Plan.Models = 2)), "at least K = 2 shadows" },
        { "C out of range", () => PowerLawTestData.Plan().WithClasses(4), "--classes must be between 2 and 3" },
        { "a conv head", () => PowerLawTestData.Plan(With(c => c.Model.Kind = "cnn")), "cannot be a head on feature vectors" },
        { "overlapping classes", () => PowerLawTestData.Plan(With(c => c.PowerLaw.Classes = [2, 3, 4])), "share class 2" },
        { "a defense", () => PowerLawTestData.Plan(With(c => { c.Defense.Kind = "weighted-smoothing"; c.Defense.SmoothingSigma = 0.1; })),
            "defense.kind weighted-smoothing: the power-law study trains its heads without a defense" },
        { "an external target", () => PowerLawTestData.Plan(With(c => c.Target = new TargetConfig { Onnx = "m.onnx" })),
            "a target section has no place in the power-law study" },
    };

    private static RunConfig With(Action<RunConfig> change)
    {
        var c = PowerLawTestData.Config();
        change(c);
        return c;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadOptionsAreOneClearLine(string what, Func<PowerLawPlan> make, string expected)
    {
        var e = Assert.Throws<InputException>(make);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.DoesNotContain('\n', e.Message);
    }

    public static TheoryData<string, Func<PowerLawPlan>, string> BadAgainstTheData() => new()
    {
        // 100 samples per class: S = 60 needs 120.
        { "more shots than a class has", () => PowerLawTestData.Plan().WithShots([2, 4, 60]), "S = 60 needs 120 samples of class 3" },
        { "a class the data lacks", () => PowerLawTestData.Plan(With(c => c.PowerLaw.Classes = [3, 4, 9])), "lists class 9 but" },
        { "a head for another feature size", () => PowerLawTestData.Plan(With(c => c.PowerLaw.HeadInputs = 64)), "gives 16 features but the head takes 64" },
        { "a point the backbone lacks", () => PowerLawTestData.Plan(With(c => c.PowerLaw.Backbone.Point = "dense")), "unknown capture point 'dense'" },
    };

    [Theory]
    [MemberData(nameof(BadAgainstTheData))]
    public void ProblemsWithTheDataOrBackboneAreCaughtBeforeAnythingIsWritten(string what, Func<PowerLawPlan> make, string expected)
    {
        string folder = Path.Combine(_dir, "bad");
        var e = Assert.Throws<InputException>(() => PowerLawStudy.Run(make(), folder));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(folder), $"{what}: the study folder was created");
    }
}
