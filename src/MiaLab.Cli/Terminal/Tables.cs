using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using Spectre.Console;

namespace MiaLab.Cli.Terminal;

/// <summary>The summary tables printed at the end of commands.</summary>
internal static class Tables
{
    /// <summary>Adds a row of plain text: Spectre reads square brackets as markup, and our
    /// cells hold intervals like "[0.56, 0.58]".</summary>
    public static Table AddCells(this Table table, params string[] cells) =>
        table.AddRow(cells.Select(Markup.Escape).ToArray());

    public static void PrintModels(IReadOnlyList<ModelRecord> records)
    {
        if (records.Count == 0) return;
        var table = new Table().AddColumns("model", "train samples", "train acc", "test acc", "train s", "query s");
        foreach (var r in records)
            table.AddCells($"{r.Index}", $"{r.TrainSamples}", $"{r.TrainAccuracy:P1}", $"{r.TestAccuracy:P1}", $"{r.TrainSeconds:0.0}", $"{r.QuerySeconds:0.0}");
        AnsiConsole.Write(table);
        Console.WriteLine($"Mean train accuracy {records.Average(r => r.TrainAccuracy):P1}, test accuracy {records.Average(r => r.TestAccuracy):P1}.");
    }

    public static void PrintAttacks(AttackStageResult stage, int target)
    {
        var t = stage.Targets.First(x => x.Target == target);
        Console.WriteLine($"Target model {target}: train accuracy {t.TrainAccuracy:P1}, test accuracy {t.TestAccuracy:P1}; {t.Members} members, {t.NonMembers} non-members.");
        var table = new Table().AddColumns("attack", "AUC", "TPR @ 1% FPR", "TPR @ 0.1% FPR");
        foreach (var o in stage.Outcomes.Where(o => o.Target == target)
                     .OrderByDescending(o => o.Metrics.TprAtFpr["0.001"].Tpr).ThenByDescending(o => o.Metrics.Auc))
            table.AddCells(o.Attack, $"{o.Metrics.Auc:0.000}", Tpr(o.Metrics, "0.01"), Tpr(o.Metrics, "0.001"));
        AnsiConsole.Write(table);
    }

    public static void PrintPooled(IReadOnlyDictionary<string, AttackMetrics> pooled)
    {
        var table = new Table().Title("pooled over every target").AddColumns("attack", "AUC", "TPR @ 1% FPR", "TPR @ 0.1% FPR");
        foreach (var (name, m) in pooled) table.AddCells(name, $"{m.Auc:0.000}", Tpr(m, "0.01"), Tpr(m, "0.001"));
        AnsiConsole.Write(table);
    }

    public static void PrintMetrics(AttackMetrics m)
    {
        var table = new Table().AddColumns("metric", "value");
        table.AddCells("members / non-members / unscored", $"{m.Members} / {m.NonMembers} / {m.Unscored}");
        table.AddCells("AUC", m.AucCi95 is { } ci ? $"{m.Auc:0.0000} [{ci.Low:0.0000}, {ci.High:0.0000}]" : $"{m.Auc:0.0000}");
        table.AddCells("balanced accuracy", $"{m.BalancedAccuracy:0.0000}");
        table.AddCells("advantage", $"{m.Advantage:0.0000}");
        foreach (var (alpha, _) in m.TprAtFpr) table.AddCells($"TPR @ FPR ≤ {alpha}", Tpr(m, alpha));
        AnsiConsole.Write(table);
    }

    /// <summary>"12.3% (FPR 0.09%)", or "n/e" when the non-members are too few for that FPR.</summary>
    private static string Tpr(AttackMetrics m, string alpha)
    {
        var t = m.TprAtFpr[alpha];
        return t.Estimable ? $"{t.Tpr:P2} (FPR {t.AchievedFpr:P2})" : "n/e";
    }
}
