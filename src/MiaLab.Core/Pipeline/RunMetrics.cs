using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Privacy;

namespace MiaLab.Core.Pipeline;

/// <summary>One attack's scores against one target, evaluated: the metrics of ALGORITHMS.md §7 and
/// what the attack recorded about itself.</summary>
public sealed record AttackEvaluation(string Attack, string Family, int Target, AttackMetrics Metrics, string ScoresSha256,
    IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<int> References, IReadOnlyDictionary<string, double?> Extras);

/// <summary>One attack evaluated over several targets at once (LiRA's protocol: one ROC over the
/// concatenation of every target's scores and membership).</summary>
public sealed record PooledEvaluation(string Attack, IReadOnlyList<int> Targets, AttackMetrics Metrics, string Key);

/// <summary>One attack's scores against a target whose membership is unknown (an external target
/// without target.members): their distribution, since there is no ROC without membership.</summary>
public sealed record ScoreSummary(string Attack, string Family, int Target, ScoreDistribution Distribution, string ScoresSha256);

/// <summary>A score file the evaluate stage left out, and why.</summary>
public sealed record LeftOut(string Attack, int Target, string Reason);

/// <summary>
/// metrics.json: every number the report shows, built by the evaluate stage from the score files
/// and read back by the report stage. Plain data with its JSON form (schema version 3: intervals
/// at evaluation.confidence_level, attack parameters as run).
/// </summary>
public sealed record RunMetrics(
    EvaluationOptions Options,
    IReadOnlyList<TargetSummary> Targets,
    IReadOnlyList<AttackEvaluation> Attacks,
    IReadOnlyList<PooledEvaluation> Pooled,
    IReadOnlyList<LeftOut> LeftOut,
    IReadOnlyList<ScoreSummary>? Distributions = null)
{
    public const int Schema = 3;

    /// <summary>A DP-SGD run's accounting (σ, C, q, steps, δ, accountant, ε), shown beside the
    /// attacks' empirical ε; null for other runs.</summary>
    public DpSgdPrivacy? Privacy { get; init; }

    /// <summary>One sentence: the accountant's ε against the largest empirical lower bound of the target's attacks.</summary>
    public string? PrivacyReading(int target)
    {
        if (Privacy is null) return null;
        var best = ForTarget(target).Where(a => a.Metrics.EmpiricalEpsilon is not null)
            .MaxBy(a => a.Metrics.EmpiricalEpsilon!.Epsilon);
        string guarantee = $"DP-SGD guarantees ε ≤ {Privacy.Epsilon.ToString("0.00", CultureInfo.InvariantCulture)} at δ = {Privacy.Delta.ToString("G3", CultureInfo.InvariantCulture)} ({Privacy.Accountant} accountant)";
        if (best is null) return guarantee + "; no attack was evaluated.";
        double e = best.Metrics.EmpiricalEpsilon!.Epsilon;
        string measured = e.ToString("0.00", CultureInfo.InvariantCulture);
        return e == 0 ? $"{guarantee}; no attack shows leakage beyond chance (every empirical lower bound is 0)."
            : e < 0.5 * Privacy.Epsilon ? $"{guarantee}; the strongest evidence, {best.Attack}'s empirical ε ≥ {measured}, stays well inside it: the guarantee covers every attacker and dataset, these attacks are one."
            : $"{guarantee}; {best.Attack}'s empirical ε ≥ {measured} comes close to it: the bound is nearly tight for this training.";
    }
    /// <summary>Said wherever scores could only be summarised.</summary>
    public const string MembershipNeeded = "membership of the target is unknown, so there is no ROC: ROC metrics need membership (give target.members, a bool .npy of the samples the target trained on)";

    /// <summary>Score distributions of targets whose membership is unknown.</summary>
    public IReadOnlyList<ScoreSummary> ScoreDistributions => Distributions ?? [];

    public IEnumerable<AttackEvaluation> ForTarget(int target) => Attacks.Where(a => a.Target == target);

    /// <summary>The definition every TPR in the file follows.</summary>
    public const string TprDefinition = "highest TPR among ROC points with FPR <= alpha (no interpolation); not estimable when non-members < 1/alpha";

    public JsonObject ToJson()
    {
        var targets = new JsonArray();
        foreach (var t in Targets.OrderBy(t => t.Target))
        {
            var attacks = new JsonObject();
            foreach (var a in ForTarget(t.Target).OrderBy(a => a.Attack, StringComparer.Ordinal))
            {
                var entry = MetricsJson.ToJson(a.Metrics);
                entry["family"] = a.Family;
                entry["scores_sha256"] = a.ScoresSha256;
                entry["references"] = new JsonArray(a.References.Select(r => (JsonNode?)r).ToArray());
                entry["parameters"] = new JsonObject(a.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
                entry["extras"] = new JsonObject(a.Extras.Select(p => KeyValuePair.Create(p.Key, p.Value is double v ? MetricsJson.Number(v) : null)));
                attacks[a.Attack] = entry;
            }
            targets.Add(new JsonObject
            {
                ["target"] = t.Target,
                ["train_accuracy"] = MetricsJson.Number(t.TrainAccuracy),
                ["test_accuracy"] = MetricsJson.Number(t.TestAccuracy),
                ["members"] = t.Members,
                ["non_members"] = t.NonMembers,
                ["attacks"] = attacks,
            });
        }
        var pooled = new JsonObject();
        foreach (var p in Pooled.OrderBy(p => p.Attack, StringComparer.Ordinal))
        {
            var entry = MetricsJson.ToJson(p.Metrics);
            entry["targets"] = new JsonArray(p.Targets.Select(t => (JsonNode?)t).ToArray());
            entry["key"] = p.Key;
            pooled[p.Attack] = entry;
        }
        var distributions = new JsonArray();
        foreach (var d in ScoreDistributions.OrderBy(d => d.Target).ThenBy(d => d.Attack, StringComparer.Ordinal))
            distributions.Add(new JsonObject
            {
                ["attack"] = d.Attack,
                ["family"] = d.Family,
                ["target"] = d.Target,
                ["scores_sha256"] = d.ScoresSha256,
                ["count"] = d.Distribution.Count,
                ["mean"] = MetricsJson.Number(d.Distribution.Mean),
                ["std"] = MetricsJson.Number(d.Distribution.StandardDeviation),
                ["min"] = MetricsJson.Number(d.Distribution.Min),
                ["max"] = MetricsJson.Number(d.Distribution.Max),
                ["quantiles"] = new JsonObject(d.Distribution.Quantiles.Select(q =>
                    KeyValuePair.Create(q.Level.ToString("R", CultureInfo.InvariantCulture), MetricsJson.Number(q.Value)))),
            });
        var json = new JsonObject
        {
            ["schema_version"] = Schema,
            ["tool_version"] = ToolVersion.Text,
            ["tpr_at_fpr_definition"] = TprDefinition,
            ["evaluation"] = new JsonObject
            {
                ["bootstrap_resamples"] = Options.BootstrapResamples,
                ["confidence_level"] = Options.ConfidenceLevel,
                ["seed"] = Options.Seed,
                ["per_class"] = Options.PerClass,
                ["alphas"] = new JsonArray(Options.Alphas.Select(a => (JsonNode?)a).ToArray()),
            },
            ["targets"] = targets,
            ["pooled"] = pooled,
            ["left_out"] = new JsonArray(LeftOut.Select(l => (JsonNode?)new JsonObject
            {
                ["attack"] = l.Attack,
                ["target"] = l.Target,
                ["reason"] = l.Reason,
            }).ToArray()),
        };
        if (Privacy is { } dp)
            json["privacy"] = new JsonObject
            {
                ["mechanism"] = "dp-sgd",
                ["noise_multiplier"] = MetricsJson.Number(dp.NoiseMultiplier),
                ["max_grad_norm"] = MetricsJson.Number(dp.MaxGradNorm),
                ["sample_rate"] = dp.SampleRate,
                ["steps"] = dp.Steps,
                ["delta"] = dp.Delta,
                ["accountant"] = dp.Accountant,
                ["epsilon"] = MetricsJson.Number(dp.Epsilon),
                ["target_epsilon"] = dp.TargetEpsilon,
                ["reading"] = Targets.Count > 0 ? PrivacyReading(Targets.Min(t => t.Target)) : null,
            };
        if (distributions.Count > 0)
        {
            json["score_distributions"] = distributions;
            json["membership"] = MembershipNeeded;
        }
        return json;
    }

    public void Write(string path) =>
        AtomicFile.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>Reads metrics.json; every problem is one <see cref="InputException"/> naming the file.</summary>
    public static RunMetrics Read(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: not found; run 'mialab evaluate --run DIR' (or 'mialab attack') first");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InputException($"{path}: not a JSON object");
            int schema = root["schema_version"]?.GetValue<int>() ?? 0;
            if (schema != Schema)
                throw new InputException($"{path}: schema version {schema}, this MiaLab reads {Schema}; run 'mialab evaluate --run DIR' to rebuild it");
            var ev = Obj(root, "evaluation", path);
            var options = new EvaluationOptions(ev["bootstrap_resamples"]!.GetValue<int>(), ev["seed"]!.GetValue<int>(), ev["per_class"]!.GetValue<bool>())
            {
                Alphas = Arr(ev, "alphas", path).Select(a => a!.GetValue<double>()).ToArray(),
                ConfidenceLevel = ev["confidence_level"]!.GetValue<double>(),
            };
            var targets = new List<TargetSummary>();
            var attacks = new List<AttackEvaluation>();
            foreach (var node in Arr(root, "targets", path))
            {
                var t = node as JsonObject ?? throw new InputException($"{path}: a target entry is not an object");
                int target = t["target"]!.GetValue<int>();
                targets.Add(new TargetSummary(target, Dbl(t["train_accuracy"]), Dbl(t["test_accuracy"]),
                    t["members"]!.GetValue<int>(), t["non_members"]!.GetValue<int>()));
                foreach (var (name, value) in Obj(t, "attacks", path))
                {
                    var a = value as JsonObject ?? throw new InputException($"{path}: attack {name} is not an object");
                    attacks.Add(new AttackEvaluation(name, a["family"]!.GetValue<string>(), target, MetricsJson.FromJson(a),
                        a["scores_sha256"]!.GetValue<string>(),
                        Obj(a, "parameters", path).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal),
                        Arr(a, "references", path).Select(r => r!.GetValue<int>()).ToList(),
                        Obj(a, "extras", path).ToDictionary(p => p.Key, p => p.Value is null ? (double?)null : p.Value.GetValue<double>(), StringComparer.Ordinal)));
                }
            }
            var pooled = new List<PooledEvaluation>();
            foreach (var (name, value) in Obj(root, "pooled", path))
            {
                var p = value as JsonObject ?? throw new InputException($"{path}: pooled {name} is not an object");
                pooled.Add(new PooledEvaluation(name, Arr(p, "targets", path).Select(t => t!.GetValue<int>()).ToList(),
                    MetricsJson.FromJson(p), p["key"]!.GetValue<string>()));
            }
            var leftOut = Arr(root, "left_out", path).Select(n => (JsonObject)n!)
                .Select(l => new LeftOut(l["attack"]!.GetValue<string>(), l["target"]!.GetValue<int>(), l["reason"]!.GetValue<string>())).ToList();
            DpSgdPrivacy? privacy = null;
            if (root["privacy"] is JsonObject pv)
                privacy = new DpSgdPrivacy(Dbl(pv["noise_multiplier"]), Dbl(pv["max_grad_norm"]), pv["sample_rate"]!.GetValue<double>(),
                    DpSgdPrivacy.BatchesPerEpoch(pv["sample_rate"]!.GetValue<double>()), pv["steps"]!.GetValue<long>(), pv["delta"]!.GetValue<double>(),
                    pv["accountant"]!.GetValue<string>(), Dbl(pv["epsilon"]), pv["target_epsilon"]?.GetValue<double>());
            var summaries = (root["score_distributions"] as JsonArray ?? []).Select(n => (JsonObject)n!).Select(d => new ScoreSummary(
                d["attack"]!.GetValue<string>(), d["family"]!.GetValue<string>(), d["target"]!.GetValue<int>(),
                new ScoreDistribution(d["count"]!.GetValue<int>(), Dbl(d["mean"]), Dbl(d["std"]), Dbl(d["min"]), Dbl(d["max"]),
                    Obj(d, "quantiles", path).Select(q => (double.Parse(q.Key, CultureInfo.InvariantCulture), Dbl(q.Value))).ToList()),
                d["scores_sha256"]!.GetValue<string>())).ToList();
            return new RunMetrics(options, targets, attacks, pooled, leftOut, summaries) { Privacy = privacy };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or InvalidCastException)
        {
            throw new InputException($"{path}: not a MiaLab metrics file ({InputException.OneLine(e.Message)}); run 'mialab evaluate --run DIR' to rebuild it");
        }
    }

    /// <summary>The file if it reads, else null (a broken or old file is simply rebuilt).</summary>
    public static RunMetrics? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try { return Read(path); }
        catch (InputException) { return null; }
    }

    private static double Dbl(JsonNode? n) => n is null ? double.NaN : n.GetValue<double>();

    private static JsonObject Obj(JsonObject o, string key, string path) =>
        o[key] as JsonObject ?? throw new InputException($"{path}: '{key}' is missing or not an object");

    private static JsonArray Arr(JsonObject o, string key, string path) =>
        o[key] as JsonArray ?? throw new InputException($"{path}: '{key}' is missing or not a list");

    internal static string Key(EvaluationOptions o) => string.Join("|", o.BootstrapResamples.ToString(CultureInfo.InvariantCulture),
        o.ConfidenceLevel.ToString("R", CultureInfo.InvariantCulture),
        o.Seed.ToString(CultureInfo.InvariantCulture), o.PerClass ? "1" : "0",
        string.Join(",", o.Alphas.Select(a => a.ToString("R", CultureInfo.InvariantCulture))));
}
