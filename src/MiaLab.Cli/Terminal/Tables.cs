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
            table.AddCells($"{r.Index}", $"{r.TrainSamples}", Percent(r.TrainAccuracy), Percent(r.TestAccuracy), $"{r.TrainSeconds:0.0}", $"{r.QuerySeconds:0.0}");
        AnsiConsole.Write(table);
        // Image-to-image models have no accuracy (NaN); their L1 is in the report.
        if (records.All(r => double.IsFinite(r.TrainAccuracy)))
            Console.WriteLine($"Mean train accuracy {records.Average(r => r.TrainAccuracy):P1}, test accuracy {records.Average(r => r.TestAccuracy):P1}.");
    }

    private static string Percent(double fraction) => double.IsFinite(fraction) ? $"{fraction:P1}" : "–";

    /// <summary>The target's attacks, strongest first (Core's one ranking).</summary>
    public static void PrintAttacks(RunMetrics metrics, int target)
    {
        var t = metrics.Targets.FirstOrDefault(x => x.Target == target);
        if (t is null) return;
        Console.WriteLine($"Target model {target}: train accuracy {Percent(t.TrainAccuracy)}, test accuracy {Percent(t.TestAccuracy)}; {t.Members} members, {t.NonMembers} non-members.");
        var table = new Table().AddColumns("attack", "AUC", "TPR @ 1% FPR", "TPR @ 0.1% FPR");
        foreach (var a in AttackRanking.Rank(metrics.ForTarget(target), a => a.Metrics, a => a.Attack))
            table.AddCells(a.Attack, $"{a.Metrics.Auc:0.000}", Tpr(a.Metrics, 0.01), Tpr(a.Metrics, 0.001));
        AnsiConsole.Write(table);
    }

    /// <summary>The score distributions of a target whose membership is unknown, and why there is no ROC.</summary>
    public static void PrintDistributions(RunMetrics metrics, int target)
    {
        var rows = metrics.ScoreDistributions.Where(d => d.Target == target).OrderBy(d => d.Attack, StringComparer.Ordinal).ToList();
        Console.WriteLine($"Target model {target}: {RunMetrics.MembershipNeeded}.");
        if (rows.Count == 0) return;
        // metrics.json holds every quantile; the terminal shows the middle and the tails.
        double[] shown = [0.05, 0.5, 0.95];
        var table = new Table().Title("score distributions over the population (higher = more likely member)")
            .AddColumns(["attack", "scored", "mean", "std", .. shown.Select(l => $"q{100 * l:0.#}")]);
        foreach (var d in rows)
            table.AddCells([d.Attack, $"{d.Distribution.Count}", Num(d.Distribution.Mean), Num(d.Distribution.StandardDeviation),
                .. shown.Select(l => Num(d.Distribution.Quantiles.FirstOrDefault(q => q.Level == l).Value))]);
        AnsiConsole.Write(table);
    }

    /// <summary>Per-model progress of a run (mialab train --status).</summary>
    public static void PrintProgress(IReadOnlyList<ModelProgress> models)
    {
        var table = new Table().AddColumns("model", "status", "training", "on", "updated");
        foreach (var m in models)
        {
            var t = m.Training;
            string name = t is null ? Name(m.Status) : "training";
            string status = m.External ? $"{name} (external target)" : name;
            table.AddCells($"{m.Model}", status, t is null ? "" : $"{t.Fraction:P0} (step {t.Step}/{t.Steps})",
                t is null ? "" : $"{t.Host} pid {t.Pid}", t is null ? "" : $"{Ago(DateTime.UtcNow - t.UpdatedUtc)} ago");
        }
        AnsiConsole.Write(table);
        int done = models.Count(m => m.Status == ModelStatus.Queried), training = models.Count(m => m.Training is not null);
        Console.WriteLine($"{done} of {models.Count} models complete, {training} training, {models.Count - done - training} waiting.");
    }

    private static string Name(ModelStatus s) => s switch
    {
        ModelStatus.Queried => "complete",
        ModelStatus.Trained => "trained, not queried",
        _ => "pending",
    };

    private static string Ago(TimeSpan t) => t.TotalSeconds < 90 ? $"{Math.Max(0, t.TotalSeconds):0} s" : t.TotalMinutes < 90 ? $"{t.TotalMinutes:0} min" : $"{t.TotalHours:0.0} h";

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "–";

    public static void PrintPooled(IReadOnlyList<PooledEvaluation> pooled)
    {
        var table = new Table().Title("pooled over the targets attacked").AddColumns("attack", "targets", "AUC", "TPR @ 1% FPR", "TPR @ 0.1% FPR");
        foreach (var p in AttackRanking.Rank(pooled, p => p.Metrics, p => p.Attack))
            table.AddCells(p.Attack, $"{p.Targets.Count}", $"{p.Metrics.Auc:0.000}", Tpr(p.Metrics, 0.01), Tpr(p.Metrics, 0.001));
        AnsiConsole.Write(table);
    }

    /// <summary>Says so when a bootstrap used fewer resamples than asked (a sample too large to finish in minutes).</summary>
    public static void NoteReducedBootstrap(IEnumerable<AttackMetrics> metrics, int asked)
    {
        var used = metrics.Select(m => m.BootstrapResamples).Where(r => r < asked).ToList();
        if (used.Count > 0)
            Console.WriteLine($"Note: the confidence intervals rest on {used.Min()} bootstrap resamples, not {asked}: " +
                "the sample is too large for the asked number to finish in minutes (metrics.json records the count used).");
    }

    public static void PrintMetrics(AttackMetrics m)
    {
        var table = new Table().AddColumns("metric", "value");
        table.AddCells("members / non-members / unscored", $"{m.Members} / {m.NonMembers} / {m.Unscored}");
        table.AddCells("AUC", m.AucCi is { } ci ? $"{m.Auc:0.0000} [{ci.Low:0.0000}, {ci.High:0.0000}]" : $"{m.Auc:0.0000}");
        table.AddCells("balanced accuracy", $"{m.BalancedAccuracy:0.0000}");
        table.AddCells("advantage", $"{m.Advantage:0.0000}");
        foreach (var (alpha, t) in m.TprAtFpr) table.AddCells($"TPR @ FPR ≤ {alpha}", Tpr(m, t.Alpha));
        AnsiConsole.Write(table);
    }

    /// <summary>"12.3% (FPR 0.09%)", or "n/e" when the non-members are too few for that FPR.</summary>
    private static string Tpr(AttackMetrics m, double alpha) =>
        AttackRanking.Find(m, alpha) is { } t ? t.Estimable ? $"{t.Tpr:P2} (FPR {t.AchievedFpr:P2})" : "n/e" : "–";
}
