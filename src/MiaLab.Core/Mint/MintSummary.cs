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
    public const string Kind = "mint";

    public void Write(string path)
    {
        var o = new JsonObject
        {
            ["kind"] = Kind,
            ["schema_version"] = 1,
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
            ["train_balanced_accuracy_at_0_5"] = MetricsJson.Number(TrainBalancedAccuracy),
            ["epochs"] = Epochs,
            ["l1"] = L1,
            ["final_loss"] = MetricsJson.Number(FinalLoss),
            ["detector_file"] = DetectorFile,
            ["metrics"] = MetricsJson.ToJson(Metrics),
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
            return new MintSummary(Text("detector"), Int("model"), points, o["reduction"]?.GetValue<string>() ?? "max",
                Int("input_length"), o["unused_source"]?.GetValue<string>() ?? "unknown",
                Int("used_train"), Int("used_eval"), Int("unused_train"), Int("unused_eval"),
                Real("balanced_accuracy_at_0_5"), Real("train_balanced_accuracy_at_0_5"), Int("epochs"), Real("l1"),
                Real("final_loss"), o["detector_file"]?.GetValue<string>() ?? "", MetricsJson.FromJson(metrics));
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

}
