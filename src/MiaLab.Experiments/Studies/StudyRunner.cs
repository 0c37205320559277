using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Experiments.Studies;

/// <summary>
/// Runs a study: every distinct config of its settings gets one run directory under the study's
/// folder (named after the first setting with that config); each is measured once and its row
/// cached as &lt;run&gt;/study-row.json, so a rerun trains nothing that is complete and re-measures only
/// rows whose config or analysis changed. Then writes &lt;name&gt;.md, .csv, .json and report.html.
/// </summary>
public static class StudyRunner
{
    public const string ReportFile = "report.html";
    public const string RowFile = "study-row.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static StudyResult<TSetting, TRow> Run<TSetting, TRow>(IStudy<TSetting, TRow> study, string folder,
        Action<StageProgress>? progress = null, Action<string>? log = null, CancellationToken cancel = default)
        where TSetting : IStudySetting
    {
        ArgumentNullException.ThrowIfNull(study);
        if (string.IsNullOrWhiteSpace(folder)) throw new InputException("the study's folder (--run) is empty");
        folder = Path.GetFullPath(folder);
        if (File.Exists(folder)) throw new InputException($"{folder} is a file; the study's folder must be a folder");
        var clock = Stopwatch.StartNew();
        var settings = study.Settings();
        var runs = RunNames(settings, study.Base);
        var distinct = settings.Select(s => runs[s.Name]).Distinct().ToList();
        foreach (var name in distinct) CheckReusable(Path.Combine(folder, name), settings.First(s => runs[s.Name] == name).Config);
        Directory.CreateDirectory(folder);

        var measured = new Dictionary<string, TRow>(StringComparer.Ordinal);
        var context = new StudyContext(progress, log, cancel);
        for (int r = 0; r < distinct.Count; r++)
        {
            cancel.ThrowIfCancellationRequested();
            string name = distinct[r];
            var setting = settings.First(s => runs[s.Name] == name);
            progress?.Invoke(new StageProgress("settings", r, distinct.Count));
            log?.Invoke($"[{r + 1}/{distinct.Count}] {name}");
            string run = Path.Combine(folder, name);
            measured[name] = Cached<TRow>(run, setting.Config, study.AnalysisKey) is { } row ? row
                : Store(run, setting.Config, study.AnalysisKey, study.Measure(setting, run, context));
        }
        progress?.Invoke(new StageProgress("settings", distinct.Count, distinct.Count));

        var rows = settings.Select(s => new StudyRow<TSetting, TRow>(s, runs[s.Name], measured[runs[s.Name]])).ToList();
        var result = new StudyResult<TSetting, TRow>(rows, folder, study.Name, clock.Elapsed.TotalSeconds);
        var table = study.Table(rows);
        var page = Compose(study, rows, folder, result.Seconds);
        AtomicFile.WriteAllText(result.MarkdownPath, StudyTables.Markdown(table, page.Title, page.Intro));
        AtomicFile.WriteAllText(result.CsvPath, StudyTables.Csv(table));
        AtomicFile.WriteAllText(result.JsonPath, JsonFile(study, rows, result.Seconds).ToJsonString(Json) + "\n");
        AtomicFile.WriteAllText(result.ReportPath, page.Render());
        return result;
    }

    /// <summary>The study's page: its table first, then its own figures and definitions, with the folder it describes.</summary>
    public static Reports.Pages.StudyPage Compose<TSetting, TRow>(IStudy<TSetting, TRow> study, IReadOnlyList<StudyRow<TSetting, TRow>> rows,
        string folder, double seconds) where TSetting : IStudySetting =>
        study.Page(rows) with
        {
            Tables = [study.Table(rows)],
            Location = new Reports.Pages.PageLocation("Study folder", folder, $"{rows.Count} rows in {Duration(seconds)}."),
        };

    /// <summary>The run directory name of the settings whose config is the study's base.</summary>
    public const string BaseRun = "base";

    /// <summary>The run directory of each setting: "base" when its config is the base config, else the
    /// first setting's name among those with the same config.</summary>
    public static IReadOnlyDictionary<string, string> RunNames<TSetting>(IReadOnlyList<TSetting> settings, RunConfig? baseConfig)
        where TSetting : IStudySetting
    {
        var bySha = new Dictionary<string, string>(StringComparer.Ordinal);
        if (baseConfig is not null) bySha[ConfigFile.Sha256(baseConfig)] = BaseRun;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in settings)
        {
            if (names.ContainsKey(s.Name)) throw new ArgumentException($"two settings are named {s.Name}");
            string sha = ConfigFile.Sha256(s.Config);
            if (!bySha.TryGetValue(sha, out var run)) bySha[sha] = run = s.Name;
            names[s.Name] = run;
        }
        return names;
    }

    /// <summary>Refuses, before anything is trained, a run directory that holds another config.</summary>
    private static void CheckReusable(string run, RunConfig config)
    {
        if (!File.Exists(Path.Combine(run, RunLayout.ManifestFile))) return;
        if (RunDirectory.Open(run).Config is { } existing && ConfigFile.RunSha256(existing) != ConfigFile.RunSha256(config))
            throw new InputException($"{run} holds this setting trained with another config (another base or study version); " +
                "use a new --run folder, or the base config it was made with");
    }

    private sealed record CachedRow<TRow>(string ConfigSha256, string AnalysisKey, TRow Row);

    private static TRow? Cached<TRow>(string run, RunConfig config, string key)
    {
        string path = Path.Combine(run, RowFile);
        if (!File.Exists(path)) return default;
        try
        {
            var cached = JsonSerializer.Deserialize<CachedRow<TRow>>(File.ReadAllText(path), Json);
            return cached is not null && cached.ConfigSha256 == ConfigFile.Sha256(config) && cached.AnalysisKey == key ? cached.Row : default;
        }
        catch (JsonException)
        {
            return default; // a broken cache is measured again
        }
    }

    private static TRow Store<TRow>(string run, RunConfig config, string key, TRow row)
    {
        AtomicFile.WriteAllText(Path.Combine(run, RowFile), JsonSerializer.Serialize(new CachedRow<TRow>(ConfigFile.Sha256(config), key, row), Json) + "\n");
        return row;
    }

    private static JsonObject JsonFile<TSetting, TRow>(IStudy<TSetting, TRow> study, IReadOnlyList<StudyRow<TSetting, TRow>> rows, double seconds)
        where TSetting : IStudySetting
    {
        var array = new JsonArray();
        foreach (var r in rows)
            array.Add(new JsonObject
            {
                ["setting"] = r.Setting.Name,
                ["run"] = r.Run,
                ["config_sha256"] = ConfigFile.Sha256(r.Setting.Config),
                ["measures"] = JsonSerializer.SerializeToNode(r.Measures, Json),
            });
        return new JsonObject
        {
            ["schema_version"] = 1,
            ["study"] = study.Name,
            ["tool_version"] = ToolVersion.Text,
            ["seconds"] = Math.Round(seconds, 1),
            ["summary"] = study.Summary(rows),
            ["rows"] = array,
        };
    }

    private static string Duration(double seconds) =>
        seconds < 120 ? $"{seconds:0} s" : $"{seconds / 60:0.0} min";
}
