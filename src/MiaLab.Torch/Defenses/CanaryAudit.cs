using System.Text.Json;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Privacy;
using MiaLab.Core.Randomness;
using MiaLab.Core.Signals;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Defenses;

/// <summary>The one-run audit's outcome beside the accountant's ε of the same training (null without DP-SGD).</summary>
public sealed record CanaryAuditResult(string ConfigSha256, OneRunAuditResult Audit, DpSgdPrivacy? Privacy, int TrainSamples, double TestAccuracy);

/// <summary>
/// Privacy auditing with one training run (Steinke, Nasr, Jagielski 2023; ALGORITHMS.md §13) on a
/// run config: m canaries are drawn from the population, each joins the training set with
/// probability ½ (the rest of the population always trains); one model is trained with the config's
/// defense; the auditor scores every canary by −loss and <see cref="OneRunAudit"/> turns the guesses
/// into ε̂. The result is cached as dp-audit.json in the audit's folder: a rerun with the same config
/// and canaries prints it without training again.
/// </summary>
public static class CanaryAudit
{
    public const string ResultFile = "dp-audit.json";
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static CanaryAuditResult Run(RunConfig config, string folder, int canaries = 1000, Action<StageProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        if (canaries < 2) throw new InputException($"--canaries must be at least 2 (got {canaries})");
        string sha = ConfigFile.Sha256(config) + $"|canaries={canaries}";
        string path = Path.Combine(folder, ResultFile);
        if (File.Exists(path))
        {
            try
            {
                if (JsonSerializer.Deserialize<CanaryAuditResult>(File.ReadAllText(path), Json) is { } cached && cached.ConfigSha256 == sha) return cached;
            }
            catch (JsonException) { /* measured again */ }
        }
        var data = PlanStage.LoadData(config, log, progress, cancel);
        int population = data.Population;
        if (canaries > population) throw new InputException($"--canaries {canaries} exceeds the population of {population} samples");
        var random = new StableRandom((ulong)Seeds.Derive(config.Seed, "canaries", 0));
        var chosen = random.Subset(population, canaries);
        var canaryIndex = Enumerable.Range(0, population).Where(i => chosen[i]).ToArray();
        var included = canaryIndex.Select(_ => random.Next(2) == 1).ToArray();
        var inSet = new HashSet<int>(canaryIndex.Where((_, j) => included[j]));
        var trainSet = Enumerable.Range(0, population).Where(i => !chosen[i] || inSet.Contains(i)).ToArray();
        Directory.CreateDirectory(folder);

        using var model = ModelZoo.Create(config.Model, data.Samples.SampleShape, data.Samples.NumClasses, [Seeds.Derive(config.Seed, "init", 0)]);
        var hooks = DefenseHooks.For(config, data.Samples, [trainSet], [0], ModelZoo.CosineScale(model) ?? 1.0);
        try
        {
            StackedTrainer.Train(model, config.Training, data.Samples, [trainSet], [Seeds.Derive(config.Seed, "order", 0)],
                Seeds.Derive(config.Seed, "dropout", 0), (s, t) => progress?.Invoke(new StageProgress("train", s, t)), cancel, hooks);
        }
        finally
        {
            (hooks.Gradients as IDisposable)?.Dispose();
        }
        var logits = TorchModel.QueryEach(model, data.Samples, ["identity"])[0];
        int c = data.Samples.NumClasses;
        var scores = canaryIndex.Select(i => -Signal.FromLogits(SignalKind.Loss, logits.AsSpan(i * c, c), data.Samples.Labels[i])).ToArray();
        var privacy = DpSgdPrivacy.Resolve(config);
        var audit = OneRunAudit.Run(scores, included, privacy?.Delta ?? 0);
        double test = double.NaN;
        if (data.Holdout > 0)
        {
            int hits = 0;
            for (int i = population; i < data.Samples.Count; i++) if (Signal.ArgMax(logits.AsSpan(i * c, c)) == data.Samples.Labels[i]) hits++;
            test = (double)hits / data.Holdout;
        }
        var result = new CanaryAuditResult(sha, audit, privacy, trainSet.Length, test);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(result, Json) + "\n");
        return result;
    }
}
