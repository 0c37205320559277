using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;

namespace MiaLab.Core.Mint;

/// <summary>
/// One MINT detector's evaluation (ALGORITHMS.md §8) as stored in
/// <c>mint/model-XXXX-&lt;detector&gt;.metrics.json</c>: written by <c>mialab mint train</c>, read by the
/// report. This record is the one definition of that file's keys.
/// </summary>
/// <param name="BalancedAccuracy">Balanced accuracy at threshold 0.5 on MINT-eval (the paper's metric).</param>
/// <param name="Metrics">The §7 metrics of the detector's probabilities on MINT-eval.</param>
/// <param name="UnusedSource">Where the unused samples came from: "holdout" or "population".</param>
/// <param name="Baselines">The max-confidence baseline and the loss attack on the same MINT-eval samples
/// (thresholds from MINT-train); empty in files written before they were measured.</param>
public sealed record MintSummary(
    string Detector,
    int Model,
    IReadOnlyList<string> Points,
    string Reduction,
    int InputLength,
    string UnusedSource,
    int UsedTrain, int UsedEval, int UnusedTrain, int UnusedEval,
    double BalancedAccuracy,
    double TrainBalancedAccuracy,
    int Epochs,
    double L1,
    double FinalLoss,
    string DetectorFile,
    AttackMetrics Metrics)
{
    public Interval? BalancedAccuracyCi95 { get; init; }
    public string Penalty { get; init; } = "weight";
    public IReadOnlyList<MintBaseline> Baselines { get; init; } = [];

    public const string Kind = "mint";

    public void Write(string path)
    {
        var o = new JsonObject
        {
            ["kind"] = Kind,
            ["schema_version"] = 2,
            ["detector"] = Detector,
            ["model"] = Model,
            ["points"] = new JsonArray(Points.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["reduction"] = Reduction,
            ["input_length"] = InputLength,
            ["unused_source"] = UnusedSource,
            ["used_train"] = UsedTrain,
            ["used_eval"] = UsedEval,
            ["unused_train"] = UnusedTrain,
            ["unused_eval"] = UnusedEval,
            ["balanced_accuracy_at_0_5"] = MetricsJson.Number(BalancedAccuracy),
            ["balanced_accuracy_ci95"] = Ci(BalancedAccuracyCi95),
            ["train_balanced_accuracy_at_0_5"] = MetricsJson.Number(TrainBalancedAccuracy),
            ["epochs"] = Epochs,
            ["l1"] = MetricsJson.Number(L1),
            ["penalty"] = Penalty,
            ["final_loss"] = MetricsJson.Number(FinalLoss),
            ["detector_file"] = DetectorFile,
            ["metrics"] = MetricsJson.ToJson(Metrics),
            ["baselines"] = new JsonArray(Baselines.Select(b => (JsonNode?)new JsonObject
            {
                ["name"] = b.Name,
                ["threshold"] = MetricsJson.Number(b.Threshold),
                ["balanced_accuracy"] = MetricsJson.Number(b.Eval.BalancedAccuracy),
                ["balanced_accuracy_ci95"] = Ci(b.Eval.Ci95),
                ["tpr"] = MetricsJson.Number(b.Eval.Tpr),
                ["tnr"] = MetricsJson.Number(b.Eval.Tnr),
                ["train_balanced_accuracy"] = MetricsJson.Number(b.TrainBalancedAccuracy),
                ["metrics"] = MetricsJson.ToJson(b.Metrics),
            }).ToArray()),
        };
        AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    public static MintSummary Read(string path)
    {
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InputException($"{path}: not a JSON object");
            if (o["kind"]?.GetValue<string>() != Kind) throw new InputException($"{path}: not a MINT metrics file (kind is not \"mint\")");
            string Text(string key) => o[key]?.GetValue<string>() ?? throw new InputException($"{path}: missing '{key}'");
            int Int(string key) => o[key]?.GetValue<int>() ?? 0;
            double Real(string key) => o[key] is { } v ? v.GetValue<double>() : double.NaN;
            var points = (o["points"] as JsonArray ?? throw new InputException($"{path}: missing 'points'"))
                .Select(p => p?.GetValue<string>() ?? "").ToList();
            var metrics = o["metrics"] as JsonObject ?? throw new InputException($"{path}: missing 'metrics'");
            var baselines = (o["baselines"] as JsonArray ?? []).OfType<JsonObject>().Select(b =>
            {
                double R(string key) => b[key] is { } v ? v.GetValue<double>() : double.NaN;
                var bm = b["metrics"] as JsonObject ?? throw new InputException($"{path}: a baseline has no 'metrics'");
                var m = MetricsJson.FromJson(bm);
                var ci = ReadCi(b["balanced_accuracy_ci95"]) ?? new Interval(double.NaN, double.NaN);
                return new MintBaseline(b["name"]?.GetValue<string>() ?? "?", R("threshold"),
                    new FixedThresholdAccuracy(R("balanced_accuracy"), ci, R("tpr"), R("tnr"), m.Members, m.NonMembers),
                    R("train_balanced_accuracy"), m);
            }).ToList();
            return new MintSummary(Text("detector"), Int("model"), points, o["reduction"]?.GetValue<string>() ?? "max",
                Int("input_length"), o["unused_source"]?.GetValue<string>() ?? "unknown",
                Int("used_train"), Int("used_eval"), Int("unused_train"), Int("unused_eval"),
                Real("balanced_accuracy_at_0_5"), Real("train_balanced_accuracy_at_0_5"), Int("epochs"), Real("l1"),
                Real("final_loss"), o["detector_file"]?.GetValue<string>() ?? "", MetricsJson.FromJson(metrics))
            {
                BalancedAccuracyCi95 = ReadCi(o["balanced_accuracy_ci95"]),
                Penalty = o["penalty"]?.GetValue<string>() ?? "weight",
                Baselines = baselines,
            };
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InputException($"{path}: malformed MINT metrics ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    private static JsonNode? Ci(Interval? ci) => ci is { } c && double.IsFinite(c.Low) && double.IsFinite(c.High)
        ? new JsonArray(JsonValue.Create(c.Low), JsonValue.Create(c.High)) : null;

    private static Interval? ReadCi(JsonNode? node) => node is JsonArray { Count: 2 } a && a[0] is { } lo && a[1] is { } hi
        ? new Interval(lo.GetValue<double>(), hi.GetValue<double>()) : null;
}
