using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core.Config;
using MiaLab.Experiments.Studies;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments.Tests;

/// <summary>The study framework with a study that trains nothing: it counts its measurements.</summary>
public sealed class StudyRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mialab-study-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Setting(string Name, RunConfig Config) : IStudySetting;

    private sealed record Row(int Seed, double Score);

    private sealed class CountingStudy(IReadOnlyList<Setting> settings, string key = "v1") : IStudy<Setting, Row>
    {
        public readonly List<string> Measured = [];
        public string Name => "toy";
        public string AnalysisKey => key;
        public RunConfig? Base => settings[0].Config;
        public IReadOnlyList<Setting> Settings() => settings;

        public Row Measure(Setting setting, string runDirectory, StudyContext context)
        {
            Measured.Add(Path.GetFileName(runDirectory));
            return new Row(setting.Config.Seed, setting.Config.Seed / 10.0);
        }

        public PageTable Table(IReadOnlyList<StudyRow<Setting, Row>> rows) =>
            new([new TableColumn("Setting"), new TableColumn("Score") { Numeric = true }],
                rows.Select(r => new TableRow([r.Setting.Name, StudyTables.Number(r.Measures.Score)])).ToList());

        public StudyPage Page(IReadOnlyList<StudyRow<Setting, Row>> rows) => new("Toy study", "Test", "Settings, one seed each, | piped.");

        public JsonObject Summary(IReadOnlyList<StudyRow<Setting, Row>> rows) => new() { ["settings"] = rows.Count };
    }

    private static RunConfig Seed(int seed) => new() { Seed = seed };

    private static List<Setting> Settings() => [new("a", Seed(1)), new("b", Seed(2)), new("c", Seed(1)), new("d", Seed(3))];

    [Fact]
    public void EachDistinctConfigIsMeasuredOnceInItsOwnRunDirectory()
    {
        var study = new CountingStudy(Settings());
        var result = StudyRunner.Run(study, _dir);
        // "a" and "c" share the base config: one run directory, "base", measured once.
        Assert.Equal(["base", "b", "d"], study.Measured);
        Assert.Equal(["base", "b", "base", "d"], result.Rows.Select(r => r.Run));
        Assert.Equal(result.Rows[0].Measures, result.Rows[2].Measures);
    }

    [Fact]
    public void ARerunMeasuresNothingUntilTheAnalysisOrAConfigChanges()
    {
        StudyRunner.Run(new CountingStudy(Settings()), _dir);
        var again = new CountingStudy(Settings());
        StudyRunner.Run(again, _dir);
        Assert.Empty(again.Measured);

        var newAnalysis = new CountingStudy(Settings(), key: "v2");
        StudyRunner.Run(newAnalysis, _dir);
        Assert.Equal(["base", "b", "d"], newAnalysis.Measured);

        var settings = Settings();
        settings[3] = new Setting("d", Seed(4));
        var changed = new CountingStudy(settings, key: "v2");
        var result = StudyRunner.Run(changed, _dir);
        Assert.Equal(["d"], changed.Measured);
        Assert.Equal(0.4, result.Rows[3].Measures.Score);
    }

    [Fact]
    public void TheTableIsWrittenAsMarkdownCsvJsonAndOnePage()
    {
        var result = StudyRunner.Run(new CountingStudy(Settings()), _dir);
        Assert.Equal(["Setting,Score", "a,0.100", "b,0.200", "c,0.100", "d,0.300"], File.ReadAllLines(result.CsvPath));
        string md = File.ReadAllText(result.MarkdownPath);
        Assert.StartsWith("# Toy study\n\nSettings, one seed each, | piped.\n\n| Setting | Score |\n|---|---:|\n| a | 0.100 |", md);
        using var json = JsonDocument.Parse(File.ReadAllText(result.JsonPath));
        Assert.Equal("toy", json.RootElement.GetProperty("study").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("summary").GetProperty("settings").GetInt32());
        Assert.Equal(0.3, json.RootElement.GetProperty("rows")[3].GetProperty("measures").GetProperty("score").GetDouble());
        string html = File.ReadAllText(result.ReportPath);
        Assert.Contains("<title>Toy study</title>", html);
        Assert.Contains("0.300", html);
    }
}
