using System.CommandLine;
using System.Globalization;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Experiments.PowerLaw;
using Spectre.Console;

namespace MiaLab.Cli.Commands;

/// <summary>`mialab experiment power-law`: the power law of fine-tuning vulnerability (src/MiaLab.Experiments/PowerLaw).</summary>
internal static class PowerLawCommand
{
    public const string DefaultOut = "runs/power-law";
    public const string QuickOut = "runs/power-law-quick";
    private const int MaxShadows = 10_000;

    public static Command Create()
    {
        var options = ExperimentCommand.StudyOptions.Create(
            "The base config: the dataset, the power_law section (S values, seeds, classes, backbone), the head (model, training) " +
            "and the plan (default: examples/power-law.yaml).",
            "A reduced study (tiny backbone, 33 heads, S = 2…16, two seeds) for CI.", DefaultOut, QuickOut);
        var shots = new Option<string?>("--shots") { Description = "Comma-separated S values (examples per class), e.g. 1,2,4,8; at least three." };
        var shadows = Options.OptionalNumber("--shadows", "K, the shadow models besides the target (default 256).", 2, MaxShadows);
        var classes = Options.OptionalNumber("--classes", "C: fine-tune on the first C of power_law.classes (default all five, 5–9).", 2, 1000);
        var command = new Command("power-law",
            "Power law of fine-tuning vulnerability: a frozen backbone, K + 1 heads per S and seed trained in one stacked pass, LiRA (and RMIA) " +
            "with every model as target, TPR − FPR at fixed FPR and the fitted law log(TPR − FPR) = −β_S·log S − β_0 with bootstrap intervals. " +
            "A rerun reuses the backbone, the features and the heads.\nExample: mialab experiment power-law --quick")
        { options.Config, options.Quick, shots, shadows, classes, options.Output };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var (baseConfig, isQuick, root) = options.Read(p);
            var plan = isQuick ? PowerLawPlan.Quick(baseConfig) : PowerLawPlan.Default(baseConfig);
            if (Stages.ParseList(p.GetValue(shots), "--shots") is { } list) plan = plan.WithShots(list.Select(Shot).ToArray());
            if (p.GetValue(shadows) is int k) plan = plan.WithShadows(k);
            if (p.GetValue(classes) is int c) plan = plan.WithClasses(c);
            Console.WriteLine($"Power-law study: {plan.Settings().Count} settings (S = {string.Join(", ", plan.Shots)}; {plan.Base.PowerLaw.Seeds} seeds; " +
                $"1 target + {plan.Shadows} shadows) → {root}");
            var result = ProgressDisplay.Run((progress, log) => PowerLawStudy.Run(plan, root, progress, log, cancel));
            Print(result);
            var s = result.Study;
            Console.WriteLine($"Wrote {s.MarkdownPath}, {Path.GetFileName(s.CsvPath)}, {Path.GetFileName(s.JsonPath)} and {Path.GetFileName(s.ReportPath)} in {s.Seconds:0} s.");
            return 0;
        }));
        return command;
    }

    private static int Shot(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s
            : throw new InputException($"--shots: '{text}' is not a whole number of examples per class");

    /// <summary>The fitted laws, one line each.</summary>
    private static void Print(PowerLawStudyResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("attack", "samples", "FPR", "β_S [[95%]]", "β_0 [[95%]]", "R²", "S for target [[95%]]");
        foreach (var law in result.Laws)
        {
            var e = law.Estimate;
            string Ci(Core.Evaluation.Interval? i) => i is { } v ? $" [{v.Low.ToString("0.00", inv)}, {v.High.ToString("0.00", inv)}]" : "";
            string S(double v) => double.IsPositiveInfinity(v) ? "∞" : v.ToString(v >= 1e6 ? "0.0e0" : "N0", inv);
            table.AddRow(new[] { law.Key.Attack, law.Key.Subset, (law.Key.Alpha * 100).ToString("0.###", inv) + "%",
                e.Line is null ? "not fitted" : e.Line.BetaS.ToString("0.000", inv) + Ci(e.BetaS),
                e.Line is null ? "" : e.Line.Beta0.ToString("0.00", inv) + Ci(e.Beta0),
                e.Line is null ? "" : e.Line.RSquared.ToString("0.00", inv),
                e.TargetShots is double t ? S(t) + (e.TargetShotsCi is { } ci ? $" [{S(ci.Low)}, {S(ci.High)}]" : "") : "" }.Select(Markup.Escape).ToArray());
        }
        AnsiConsole.Write(table);
    }
}
