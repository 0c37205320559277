using System.Diagnostics;
using System.Text.Json;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.IO;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>One setting's heads trained twice on its stored features and plan: all in one stacked pass, then
/// one at a time; seconds of training each (queries excluded), and how far the two sets of logits and the
/// study's stored logits.npy lie apart.</summary>
public sealed record HeadsBenchmarkRow(int Shots, int Seed, int Samples, int Models, double StackedSeconds, double AloneSeconds,
    double MaxDifference, double MaxDifferenceFromStudy);

/// <summary>
/// Does training the heads as one stacked tensor pay? Reads a finished power-law study (its base config
/// from power-law.json, each setting's features.npy and keep.npy), and for the settings of the chosen seeds
/// times the stacked trainer with every head in one pass against one head per pass, in the same run.
/// </summary>
public static class HeadsBenchmark
{
    public static IReadOnlyList<HeadsBenchmarkRow> Run(string folder, int seeds = 1, Action<string>? log = null, CancellationToken cancel = default)
    {
        string json = Path.Combine(folder, PowerLawStudy.Name + ".json");
        if (!File.Exists(json)) throw new InputException($"{json} not found: run `mialab experiment power-law --run {folder}` first");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var baseConfig = ConfigFile.Parse(doc.RootElement.GetProperty("summary").GetProperty("base_config").GetRawText(), json);
        var rows = new List<HeadsBenchmarkRow>();
        foreach (var setting in PowerLawPlan.Default(baseConfig).Settings().Where(s => s.SeedIndex < seeds))
        {
            cancel.ThrowIfCancellationRequested();
            string dir = Path.Combine(folder, setting.Name);
            string features = Path.Combine(dir, PoolFeatures.File), keepPath = Path.Combine(dir, PowerLawHeads.KeepFile);
            if (!File.Exists(features) || !File.Exists(keepPath))
                throw new InputException($"{dir}: no {PoolFeatures.File} or {PowerLawHeads.KeepFile}; finish the study first");
            var f = Npy.Read(features);
            var labels = Npy.Read(Path.Combine(dir, PowerLawHeads.LabelsFile)).Get<long>();
            var data = new Dataset("features", f.Get<float>(), [f.Shape[1]], labels, setting.Config.PowerLaw.Classes.Length);
            var k = Npy.Read(keepPath);
            var flat = k.Get<bool>();
            var keep = Enumerable.Range(0, k.Shape[0]).Select(m => flat.AsSpan(m * k.Shape[1], k.Shape[1]).ToArray()).ToArray();

            var stackedConfig = ConfigFile.Clone(setting.Config);
            stackedConfig.Training.ModelsPerPass = keep.Length;
            var aloneConfig = ConfigFile.Clone(setting.Config);
            aloneConfig.Training.ModelsPerPass = 1;
            var (stacked, stackedSeconds, _) = PowerLawHeads.TrainAndQuery(stackedConfig, data, keep, cancel: cancel);
            var (alone, aloneSeconds, _) = PowerLawHeads.TrainAndQuery(aloneConfig, data, keep, cancel: cancel);
            var study = Npy.Read(Path.Combine(dir, PowerLawHeads.LogitsFile)).Get<float>();
            int width = stacked[0].Length;
            double apart = 0, fromStudy = 0;
            for (int m = 0; m < keep.Length; m++)
                for (int j = 0; j < width; j++)
                {
                    apart = Math.Max(apart, Math.Abs(stacked[m][j] - alone[m][j]));
                    fromStudy = Math.Max(fromStudy, Math.Abs(stacked[m][j] - study[m * width + j]));
                }
            var row = new HeadsBenchmarkRow(setting.Shots, setting.SeedIndex, data.Count, keep.Length, stackedSeconds, aloneSeconds, apart, fromStudy);
            log?.Invoke($"{setting.Name}: stacked {stackedSeconds:0.0} s, one at a time {aloneSeconds:0.0} s, logits apart ≤ {apart:0.0e0}");
            rows.Add(row);
        }
        return rows;
    }
}
