using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core.IO;

namespace MiaLab.Experiments;

/// <summary>The study's table as markdown, CSV and JSON: one row per setting with the factor, its
/// value, the target's test accuracy, MINT balanced accuracy per capture point and for all points,
/// and the strongest attack with its AUC and TPR at 1% FPR. Missing values are empty (CSV),
/// "–" (markdown) or null (JSON).</summary>
public static class FactorTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void WriteAll(FactorStudyResult result, FactorStudyPlan plan)
    {
        AtomicFile.WriteAllText(result.MarkdownPath, Markdown(result, plan));
        AtomicFile.WriteAllText(result.CsvPath, Csv(result));
        AtomicFile.WriteAllText(result.JsonPath, Json(result, plan).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>The CSV header: fixed columns, one mint_&lt;point&gt; column per capture point, then the rest.</summary>
    public static IReadOnlyList<string> CsvColumns(IReadOnlyList<string> points) =>
    [
        "factor", "value", "setting", "run", "train_accuracy", "test_accuracy",
        .. points.Select(p => $"mint_{p}"), "mint_all", "mint_repeated",
        "attack", "attack_auc", "attack_tpr_at_1pct_fpr", "train_seconds", "analysis_seconds",
    ];

    public static string Csv(FactorStudyResult result)
    {
        var s = new StringBuilder();
        s.Append(string.Join(",", CsvColumns(result.Points))).Append('\n');
        foreach (var r in result.Rows)
        {
            string[] cells =
            [
                r.Factor, r.Value, r.Setting, r.RunDirectory, Num(r.TrainAccuracy), Num(r.TestAccuracy),
                .. result.Points.Select(p => Num(r.MintAt(p))), Num(r.MintAll), Num(r.MintRepeated),
                r.Attack, Num(r.AttackAuc), Num(r.AttackTprAt1PctFpr), Num(r.TrainSeconds, "0.0"), Num(r.AnalysisSeconds, "0.0"),
            ];
            s.Append(string.Join(",", cells.Select(CsvCell))).Append('\n');
        }
        return s.ToString();
    }

    public static string Markdown(FactorStudyResult result, FactorStudyPlan plan)
    {
        var s = new StringBuilder();
        s.Append("# MINT training-factor study\n\n");
        s.Append(Describe(plan)).Append("\n\n");
        string[] header =
        [
            "factor", "value", "test acc.", .. result.Points.Select(p => $"MINT {p}"), "MINT all", "MINT repeated",
            "strongest attack", "AUC", "TPR @ 1% FPR", "train s",
        ];
        s.Append("| ").Append(string.Join(" | ", header)).Append(" |\n");
        s.Append("|").Append(string.Concat(header.Select((_, i) => i < 2 || i == header.Length - 4 ? "---|" : "---:|"))).Append('\n');
        foreach (var r in result.Rows)
        {
            string[] cells =
            [
                Factors.Title(r.Factor), r.Value, Md(r.TestAccuracy), .. result.Points.Select(p => Md(r.MintAt(p))), Md(r.MintAll),
                Md(r.MintRepeated), r.Attack, Md(r.AttackAuc), Md(r.AttackTprAt1PctFpr), Num(r.TrainSeconds, "0"),
            ];
            s.Append("| ").Append(string.Join(" | ", cells.Select(c => c.Replace("|", "\\|")))).Append(" |\n");
        }
        s.Append("\nMINT: balanced accuracy of the Vanilla MINT detector (L1 λ = ").Append(plan.MintL1.ToString("0.####", Inv))
            .Append(") at threshold ½ on MINT-eval (⅓ of D = the target's ")
            .Append("training samples and of E = the holdout split), reading one capture point (per-channel global max) or all of them. ")
            .Append("MINT repeated: the same detector (all points) on the repeated samples of D against all of E. ")
            .Append("Strongest attack: the highest TPR at 1% FPR among ").Append(string.Join(", ", plan.Attacks))
            .Append(" (ties by AUC), on the target's population.\n");
        return s.ToString();
    }

    public static JsonObject Json(FactorStudyResult result, FactorStudyPlan plan)
    {
        var rows = new JsonArray();
        foreach (var r in result.Rows)
        {
            var mint = new JsonObject();
            foreach (var m in r.Mint)
                mint[m.Point] = new JsonObject { ["balanced_accuracy"] = m.BalancedAccuracy, ["auc"] = m.Auc };
            rows.Add(new JsonObject
            {
                ["factor"] = r.Factor,
                ["value"] = r.Value,
                ["setting"] = r.Setting,
                ["run"] = r.RunDirectory,
                ["train_accuracy"] = r.TrainAccuracy,
                ["test_accuracy"] = r.TestAccuracy,
                ["mint"] = mint,
                ["mint_all"] = r.MintAll,
                ["mint_repeated"] = r.MintRepeated,
                ["attack"] = new JsonObject
                {
                    ["name"] = r.Attack,
                    ["auc"] = r.AttackAuc,
                    ["tpr_at_1pct_fpr"] = r.AttackTprAt1PctFpr,
                },
                ["train_seconds"] = Math.Round(r.TrainSeconds, 2),
                ["analysis_seconds"] = Math.Round(r.AnalysisSeconds, 2),
            });
        }
        return new JsonObject
        {
            ["schema_version"] = 1,
            ["study"] = "mint-training-factors",
            ["description"] = Describe(plan),
            ["attacks"] = new JsonArray(plan.Attacks.Select(a => (JsonNode?)a).ToArray()),
            ["mint"] = new JsonObject { ["detector"] = "vanilla", ["l1"] = plan.MintL1, ["epochs"] = plan.MintEpochs },
            ["capture_points"] = new JsonArray(result.Points.Select(p => (JsonNode?)p).ToArray()),
            ["base_config"] = JsonNode.Parse(MiaLab.Core.Config.ConfigFile.ToJson(plan.Base)),
            ["seconds"] = Math.Round(result.Seconds, 1),
            ["rows"] = rows,
        };
    }

    /// <summary>One sentence on what was trained.</summary>
    public static string Describe(FactorStudyPlan plan)
    {
        var b = plan.Base;
        string model = b.Model.Kind == "mlp" ? $"MLP [{string.Join(", ", b.Model.Hidden)}]" : $"{b.Model.Kind.ToUpperInvariant()} [{string.Join(", ", b.Model.Channels)}]";
        string data = b.Dataset.Source + (b.Dataset.Population > 0 ? $", population {b.Dataset.Population}" : "")
            + (b.Dataset.Holdout > 0 ? $", holdout {b.Dataset.Holdout}" : "");
        return $"Base: {model} on {data}; {b.Plan.Models} models per setting ({b.Plan.Scheme}), target = model 0; "
            + $"{b.Training.Optimizer} lr {Num(b.Training.LearningRate, "0.####")}, {b.Training.Epochs} epochs, batch {b.Training.BatchSize}, "
            + $"dropout {Num(b.Model.Dropout, "0.##")}, {b.Training.Loss}. Times seen: {Num(plan.RepeatFraction * 100, "0.#")}% of each model's data repeated. "
            + "Each row changes one factor of the base.";
    }

    private static string Num(double? v, string format = "0.0000") => v is double d ? d.ToString(format, Inv) : "";

    private static string Md(double? v) => v is double d ? d.ToString("0.000", Inv) : "–";

    private static string CsvCell(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}
