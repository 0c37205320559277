using System.Globalization;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Experiments.Studies;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments.AttackSettings;

/// <summary>One way to run an attack: a question (which default it informs), a label, the attack,
/// its parameter values (key "group.name") and the reference policy.</summary>
public sealed record AttackAlternative(string Question, string Label, string Attack, IReadOnlyDictionary<string, string> Parameters,
    ReferencePolicy? References = null)
{
    /// <summary>The folder name of its scratch run.</summary>
    public string Slug => string.Concat($"{Attack}-{Label}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
}

/// <summary>One alternative measured on one run: the pooled metrics over every target, and the
/// spread of the per-target TPR at 0.1% FPR.</summary>
public sealed record AlternativeResult(AttackAlternative Alternative, AttackMetrics Pooled, IReadOnlyList<AttackMetrics> PerTarget, bool IsDefault);

/// <summary>
/// Measures alternative attack settings on trained models, every model a target: each alternative
/// runs the attack and evaluate stages on a scratch view of the run (its labels, keep, holdout and
/// logits linked, not copied), so its scores and metrics.json stay beside it and a rerun reuses them.
/// This is how the defaults in the registry were chosen (docs/results.md).
/// </summary>
public static class AttackSettingsComparison
{
    /// <summary>The alternatives docs/results.md measures.</summary>
    public static IReadOnlyList<AttackAlternative> Default()
    {
        static IReadOnlyDictionary<string, string> P(params (string Key, string Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);
        var list = new List<AttackAlternative>();
        foreach (string gamma in new[] { "1", "2" })
            foreach (string a in new[] { "auto", "0", "0.3", "0.5", "1" })
                list.Add(new("rmia-offline γ and a", $"γ={gamma} a={a}", "rmia-offline", P(("rmia.gamma", gamma), ("rmia.offline_a", a))));
        list.Add(new("rmia-offline γ and a", "γ=1 a=auto trimmed", "rmia-offline", P(("rmia.gamma", "1"), ("rmia.offline_a", "auto"), ("rmia.trimmed_mean", "true"))));
        list.Add(new("rmia-offline references", "γ=1 a=auto all-but-mate", "rmia-offline", P(("rmia.gamma", "1"), ("rmia.offline_a", "auto")), ReferencePolicy.ButMate));
        foreach (string gamma in new[] { "1", "2" })
            list.Add(new("rmia-online γ", $"γ={gamma}", "rmia-online", P(("rmia.gamma", gamma))));
        foreach (string attack in new[] { "lira-online", "lira-offline" })
            foreach (string variance in new[] { "auto", "per-sample", "global" })
                list.Add(new($"{attack} variance", variance, attack, P(("lira.variance", variance))));
        list.Add(new("lira-offline test", "global two-sided", "lira-offline", P(("lira.variance", "global"), ("lira.offline_test", "two-sided"))));
        foreach (string attack in new[] { "lira-online", "lira-offline" })
            list.Add(new($"{attack} signal", "global hinge", attack, P(("lira.variance", "global"), ("lira.signal", "hinge"))));
        foreach (string classifier in new[] { "logistic", "mlp" })
            list.Add(new("shadow classifier", classifier, "shadow", P(("shadow.classifier", classifier))));
        return list;
    }

    /// <summary>Measures each alternative on <paramref name="run"/> against every target; scratch runs go under <paramref name="folder"/>.</summary>
    public static IReadOnlyList<AlternativeResult> Measure(RunDirectory run, IReadOnlyList<AttackAlternative> alternatives, string folder,
        Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        int seed = run.Config?.Seed ?? 0;
        var targets = Enumerable.Range(0, run.Models).ToArray();
        var evaluation = new EvaluationOptions(BootstrapResamples: 0, seed, PerClass: false);
        var results = new List<AlternativeResult>();
        int done = 0;
        progress?.Invoke(new StageProgress("alternatives", 0, alternatives.Count));
        foreach (var alternative in alternatives)
        {
            cancel.ThrowIfCancellationRequested();
            var scratch = View(run, Path.Combine(folder, alternative.Slug));
            var plan = new AttackPlan(targets, [alternative.Attack], alternative.References, seed)
            {
                Parameters = AttackRegistry.CheckValues(Groups(alternative.Parameters), "alternative"),
            };
            AttackStage.Run(scratch, plan, cancel: cancel);
            var metrics = EvaluateStage.Run(scratch, evaluation, cancel: cancel);
            var pooled = metrics.Pooled.Single(p => p.Attack == alternative.Attack).Metrics;
            var perTarget = metrics.Attacks.Where(a => a.Attack == alternative.Attack).OrderBy(a => a.Target).Select(a => a.Metrics).ToList();
            results.Add(new AlternativeResult(alternative, pooled, perTarget, IsDefault(alternative)));
            progress?.Invoke(new StageProgress("alternatives", ++done, alternatives.Count));
        }
        return results;
    }

    /// <summary>Whether an alternative is what the registry runs by default (its values equal the
    /// attack's defaults, every model but the target as references).</summary>
    public static bool IsDefault(AttackAlternative alternative)
    {
        var definition = AttackRegistry.Get(alternative.Attack);
        var user = AttackRegistry.CheckValues(Groups(alternative.Parameters), "alternative");
        return (alternative.References ?? ReferencePolicy.Default).Kind == ReferencePolicy.AllOthers
            && definition.Settle(user).Values.SequenceEqual(definition.Settle(null).Values);
    }

    /// <summary>One row per alternative: pooled AUC, TPR at 1% and 0.1% FPR (with its Clopper–Pearson
    /// interval), the per-target range at 0.1% and which one the registry runs by default.</summary>
    public static PageTable Table(IReadOnlyList<AlternativeResult> results)
    {
        var rows = results.Select(r =>
        {
            var at01 = AttackRanking.Find(r.Pooled, AttackRanking.RankingLevel);
            var at1 = AttackRanking.Find(r.Pooled, 0.01);
            var perTarget = r.PerTarget.Select(m => AttackRanking.Find(m, AttackRanking.RankingLevel)?.Tpr ?? double.NaN).ToList();
            return new TableRow(
            [
                r.Alternative.Question,
                r.Alternative.Label + (r.IsDefault ? " (default)" : ""),
                StudyTables.Number(r.Pooled.Auc, "0.0000"),
                Percent(at1?.Tpr),
                Percent(at01?.Tpr),
                at01 is null ? StudyTables.Missing : $"{Percent(at01.Ci.Low)}–{Percent(at01.Ci.High)}",
                perTarget.Count == 0 ? StudyTables.Missing : $"{Percent(perTarget.Min())}–{Percent(perTarget.Max())}",
            ], r.Alternative.Slug);
        }).ToList();
        return new PageTable(
        [
            new("question"), new("alternative"), new("AUC", "pooled") { Numeric = true }, new("TPR @ 1% FPR", "pooled") { Numeric = true },
            new("TPR @ 0.1% FPR", "pooled") { Numeric = true, Strong = true }, new("95% CI", "Clopper–Pearson") { Numeric = true },
            new("TPR @ 0.1% FPR", "per-target range") { Numeric = true },
        ], rows);
    }

    /// <summary>A scratch run directory that sees the source run's arrays through links.</summary>
    private static RunDirectory View(RunDirectory source, string root)
    {
        Directory.CreateDirectory(root);
        foreach (string name in new[] { RunLayout.LabelsFile, RunLayout.KeepFile, RunLayout.HoldoutFile, "logits" })
        {
            string from = Path.Combine(source.Root, name), to = Path.Combine(root, name);
            if (!File.Exists(from) && !Directory.Exists(from)) continue;
            if (File.Exists(to) || Directory.Exists(to)) continue;
            if (Directory.Exists(from)) Directory.CreateSymbolicLink(to, from);
            else File.CreateSymbolicLink(to, from);
        }
        return RunDirectory.Open(root);
    }

    private static Dictionary<string, Dictionary<string, string>> Groups(IReadOnlyDictionary<string, string> values) =>
        values.GroupBy(p => p.Key.Split('.')[0]).ToDictionary(g => g.Key, g => g.ToDictionary(p => p.Key.Split('.', 2)[1], p => p.Value));

    private static string Percent(double? v) =>
        v is double d && double.IsFinite(d) ? (100 * d).ToString("0.00", CultureInfo.InvariantCulture) + "%" : StudyTables.Missing;
}
