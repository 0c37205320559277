using System.Diagnostics;
using System.Text.Json;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Experiments;

/// <summary>The study's rows, the capture points its models share, and where its files are.</summary>
public sealed record FactorStudyResult(IReadOnlyList<FactorRow> Rows, IReadOnlyList<string> Points, string OutputDirectory, double Seconds)
{
    public string MarkdownPath => Path.Combine(OutputDirectory, FactorStudy.MarkdownFile);
    public string CsvPath => Path.Combine(OutputDirectory, FactorStudy.CsvFile);
    public string JsonPath => Path.Combine(OutputDirectory, FactorStudy.JsonFile);
    public string ReportPath => Path.Combine(OutputDirectory, FactorStudy.ReportFile);
}

/// <summary>
/// The training-factor study of MINT (DeAlcala et al. 2024, §5): trains the audited model (model 0)
/// and its reference models once per setting, each setting changing one factor of the base config,
/// then measures the target's test accuracy, MINT per capture point and for all points together,
/// and the strongest of a few attacks. Every setting is an ordinary run directory under the output
/// folder, so a rerun trains nothing that is complete and reuses each setting's measured row
/// (&lt;run&gt;/factor-row.json) when its config and the study's analysis options are unchanged.
/// Writes factors.md, factors.csv, factors.json and report.html.
/// </summary>
public static class FactorStudy
{
    public const string MarkdownFile = "factors.md";
    public const string CsvFile = "factors.csv";
    public const string JsonFile = "factors.json";
    public const string ReportFile = "report.html";
    /// <summary>The run directory of the settings whose config equals the base config.</summary>
    public const string BaseRun = "base";

    public static FactorStudyResult Run(FactorStudyPlan plan, string outputDirectory, Action<StageProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        if (File.Exists(outputDirectory)) throw new InputException($"{outputDirectory} is a file; the study's output must be a folder");
        var clock = Stopwatch.StartNew();
        var settings = plan.Settings();
        var runs = RunNames(settings, plan.Base);
        Directory.CreateDirectory(outputDirectory);

        var measured = new Dictionary<string, RunMeasures>(StringComparer.Ordinal);
        var distinct = settings.Select(s => runs[s.Name]).Distinct().ToList();
        for (int r = 0; r < distinct.Count; r++)
        {
            cancel.ThrowIfCancellationRequested();
            string name = distinct[r];
            var setting = settings.First(s => runs[s.Name] == name);
            progress?.Invoke(new StageProgress("settings", r, distinct.Count));
            log?.Invoke($"[{r + 1}/{distinct.Count}] {name}");
            measured[name] = SettingRunner.Measure(plan, setting.Config, Path.Combine(outputDirectory, name), progress, log, cancel);
        }
        progress?.Invoke(new StageProgress("settings", distinct.Count, distinct.Count));

        var rows = settings.Select(s => measured[runs[s.Name]].ToRow(s, runs[s.Name])).ToList();
        var points = rows.SelectMany(r => r.Mint.Select(m => m.Point)).Where(p => p != FactorRow.AllPoints).Distinct().ToList();
        var result = new FactorStudyResult(rows, points, Path.GetFullPath(outputDirectory), clock.Elapsed.TotalSeconds);
        FactorTables.WriteAll(result, plan);
        FactorReport.Write(result, plan);
        return result;
    }

    /// <summary>The run directory name of each setting: "base" when its config is the base config,
    /// else the first setting's name with that config.</summary>
    public static IReadOnlyDictionary<string, string> RunNames(IReadOnlyList<FactorSetting> settings, RunConfig baseConfig)
    {
        string baseSha = ConfigFile.Sha256(baseConfig);
        var bySha = new Dictionary<string, string>(StringComparer.Ordinal) { [baseSha] = BaseRun };
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in settings)
        {
            string sha = ConfigFile.Sha256(s.Config);
            if (!bySha.TryGetValue(sha, out var run)) bySha[sha] = run = s.Name;
            names[s.Name] = run;
        }
        return names;
    }
}
