using System.Globalization;
using System.Text.Json.Nodes;

namespace MiaLab.Core.Evaluation;

/// <summary>
/// The metrics.json fragment of one attack, snake_case keys:
/// { "auc", "auc_ci": [lo, hi] | null, "balanced_accuracy", "advantage",
///   "tpr_at_fpr": { "0.1": { "tpr", "achieved_fpr", "ci", "bootstrap_ci" | null, "estimable" }, … },
///   "per_class": { "&lt;label&gt;": { "members", "non_members", "auc", "balanced_accuracy", "advantage" }, … },
///   "members", "non_members", "unscored", "confidence_level" }, every interval at confidence_level
/// ("ci" is Clopper–Pearson, the others bootstrap percentile). A non-finite number is written as
/// null and read back as NaN. Files from before the level was a choice (keys "auc_ci95", "ci95",
/// "bootstrap_ci95") read as level 0.95.
/// </summary>
public static class MetricsJson
{
    public static JsonObject ToJson(AttackMetrics m)
    {
        var tpr = new JsonObject();
        foreach (var (key, t) in m.TprAtFpr)
        {
            tpr[key] = new JsonObject
            {
                ["tpr"] = Number(t.Tpr),
                ["achieved_fpr"] = Number(t.AchievedFpr),
                ["ci"] = Pair(t.Ci),
                ["bootstrap_ci"] = t.BootstrapCi is { } b ? Pair(b) : null,
                ["estimable"] = t.Estimable,
            };
        }
        var perClass = new JsonObject();
        foreach (var c in m.PerClass)
        {
            perClass[c.Label.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["members"] = c.Members,
                ["non_members"] = c.NonMembers,
                ["auc"] = Number(c.Auc),
                ["balanced_accuracy"] = Number(c.BalancedAccuracy),
                ["advantage"] = Number(c.Advantage),
            };
        }
        return new JsonObject
        {
            ["auc"] = Number(m.Auc),
            ["auc_ci"] = m.AucCi is { } a ? Pair(a) : null,
            ["balanced_accuracy"] = Number(m.BalancedAccuracy),
            ["advantage"] = Number(m.Advantage),
            ["tpr_at_fpr"] = tpr,
            ["per_class"] = perClass,
            ["members"] = m.Members,
            ["non_members"] = m.NonMembers,
            ["unscored"] = m.Unscored,
            ["confidence_level"] = m.ConfidenceLevel,
            ["bootstrap_resamples"] = m.BootstrapResamples,
            ["empirical_epsilon"] = m.EmpiricalEpsilon is { } e ? new JsonObject
            {
                ["epsilon"] = Number(e.Epsilon),
                ["threshold"] = Number(e.Threshold),
                ["true_positives"] = e.TruePositives,
                ["false_negatives"] = e.FalseNegatives,
                ["false_positives"] = e.FalsePositives,
                ["true_negatives"] = e.TrueNegatives,
            } : null,
        };
    }

    public static AttackMetrics FromJson(JsonObject o)
    {
        bool legacy = !o.ContainsKey("auc_ci") && o.ContainsKey("auc_ci95");
        string Key(string name) => legacy ? name + "95" : name;
        var tpr = new Dictionary<string, TprAtFpr>();
        foreach (var (key, node) in Obj(o, "tpr_at_fpr"))
        {
            var t = node as JsonObject ?? throw new InputException($"metrics.json: tpr_at_fpr.{key} is not an object");
            if (!double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out double alpha))
                throw new InputException($"metrics.json: tpr_at_fpr key '{key}' is not a number");
            tpr[key] = new TprAtFpr(alpha, Dbl(t, "tpr"), Dbl(t, "achieved_fpr"), ReadPair(t, Key("ci")) ?? throw new InputException($"metrics.json: tpr_at_fpr.{key}.ci is null"),
                ReadPair(t, Key("bootstrap_ci")), Req(t, "estimable").GetValue<bool>());
        }
        var perClass = new List<ClassMetrics>();
        foreach (var (key, node) in Obj(o, "per_class"))
        {
            var c = node as JsonObject ?? throw new InputException($"metrics.json: per_class.{key} is not an object");
            if (!long.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out long label))
                throw new InputException($"metrics.json: per_class key '{key}' is not an integer label");
            perClass.Add(new ClassMetrics(label, Int(c, "members"), Int(c, "non_members"), Dbl(c, "auc"),
                Dbl(c, "balanced_accuracy"), Dbl(c, "advantage")));
        }
        var e = o["empirical_epsilon"] as JsonObject;
        return new AttackMetrics(Dbl(o, "auc"), ReadPair(o, Key("auc_ci")), Dbl(o, "balanced_accuracy"),
            Dbl(o, "advantage"), tpr, perClass, Int(o, "members"), Int(o, "non_members"), Int(o, "unscored"))
        {
            ConfidenceLevel = legacy ? 0.95 : Dbl(o, "confidence_level"),
            BootstrapResamples = o.TryGetPropertyValue("bootstrap_resamples", out var b) && b is not null ? b.GetValue<int>() : 0,
            EmpiricalEpsilon = e is null ? null : new EpsilonBound(Dbl(e, "epsilon"), Dbl(e, "threshold"), Int(e, "true_positives"),
                Int(e, "false_negatives"), Int(e, "false_positives"), Int(e, "true_negatives")),
        };
    }

    /// <summary>A JSON number, or null for NaN and ±∞ (which JSON cannot hold; readers take null as NaN).</summary>
    public static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static JsonArray Pair(Interval i) => new(Number(i.Low), Number(i.High));

    private static JsonNode Req(JsonObject o, string key) =>
        o.TryGetPropertyValue(key, out var n) && n is not null ? n : throw new InputException($"metrics.json: missing '{key}'");

    private static JsonObject Obj(JsonObject o, string key) =>
        Req(o, key) as JsonObject ?? throw new InputException($"metrics.json: '{key}' is not an object");

    private static double Dbl(JsonObject o, string key) =>
        o.TryGetPropertyValue(key, out var n)
            ? n is null ? double.NaN : n.GetValue<double>()
            : throw new InputException($"metrics.json: missing '{key}'");

    private static int Int(JsonObject o, string key) => Req(o, key).GetValue<int>();

    private static Interval? ReadPair(JsonObject o, string key)
    {
        if (!o.TryGetPropertyValue(key, out var n)) throw new InputException($"metrics.json: missing '{key}'");
        if (n is null) return null;
        if (n is not JsonArray { Count: 2 } a) throw new InputException($"metrics.json: '{key}' is not a [low, high] pair");
        return new Interval(a[0] is null ? double.NaN : a[0]!.GetValue<double>(), a[1] is null ? double.NaN : a[1]!.GetValue<double>());
    }
}
