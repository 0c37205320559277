using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core.Config;
using MiaLab.Experiments;
using Spectre.Console;

namespace MiaLab.Cli.Commands;

/// <summary>`mialab experiment …`: the studies of src/MiaLab.Experiments.</summary>
internal static class ExperimentCommand
{
    public const string DefaultOut = "runs/factors";
    public const string QuickOut = "runs/factors-quick";

    public static Command Create()
    {
        var command = new Command("experiment", "Studies that train many models: what makes a model leak.");
        command.Subcommands.Add(FactorsCommand());
        command.Subcommands.Add(TranslationCommand());
        return command;
    }

    private static Command FactorsCommand()
    {
        var config = Options.Config(required: false);
        config.Description = "The base config every setting changes one factor of (default: a small CNN on Fashion-MNIST; see examples/factors.yaml).";
        var quick = new Option<bool>("--quick") { Description = "A reduced study (tiny population, two values per factor, few epochs) for CI." };
        var output = Options.Run(required: false);
        output.Description = $"The study's folder (default: {DefaultOut}, or {QuickOut} with --quick); one run directory per setting inside it.";
        var command = new Command("factors",
            "MINT training-factor study: train audited models changing one factor at a time (times a sample is seen, batch size, " +
            "dropout, training loss) and report test accuracy, MINT balanced accuracy per capture point and the strongest attack. " +
            "A rerun reuses trained models.\nExample: mialab experiment factors --quick")
        { config, quick, output };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            string? configPath = p.GetValue(config);
            RunConfig? baseConfig = configPath is null ? null : ConfigFile.Load(configPath);
            bool isQuick = p.GetValue(quick);
            var plan = isQuick ? FactorStudyPlan.Quick(baseConfig) : FactorStudyPlan.Default(baseConfig);
            string root = p.GetValue(output) ?? (isQuick ? QuickOut : DefaultOut);
            Console.WriteLine($"Factor study: {plan.Settings().Count} settings → {root}");
            var result = ProgressDisplay.Run(progress => FactorStudy.Run(plan, root, progress, log: null, cancel));
            Print(result);
            Console.WriteLine($"Wrote {result.MarkdownPath}, {Path.GetFileName(result.CsvPath)}, {Path.GetFileName(result.JsonPath)} and {Path.GetFileName(result.ReportPath)} in {result.Seconds:0} s.");
            return 0;
        }));
        return command;
    }

    private static Command TranslationCommand()
    {
        var config = Options.Config(required: false);
        config.Description = "The base config (model.kind unet with a task section) whose task, target size and population each setting sets (default: 4 U-Nets [8, 16] on Fashion-MNIST).";
        var quick = new Option<bool>("--quick") { Description = "A reduced study (one task, two output sizes, tiny models) for CI." };
        var steps = new Option<int?>("--steps") { Description = $"Optimisation steps per model in every setting (default {TranslationStudyPlan.DefaultSteps}; --quick keeps its 2 epochs)." };
        var output = Options.Run(required: false);
        output.Description = "The study's folder (default: runs/translation, or runs/translation-quick with --quick); one run directory per setting inside it.";
        var command = new Command("translation",
            "Image-to-image leakage study: tasks × output resolution (7×7, 14×14, 28×28 targets) × training-set size; per setting the held-out L1 and " +
            "the AUC and TPR at 1% / 0.1% FPR of recon, recon-predictability and LiRA / RMIA on the reconstruction error. A rerun reuses trained models.\n" +
            "Example: mialab experiment translation --quick")
        { config, quick, steps, output };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            if (p.GetValue(steps) is int s && s < 1) throw new Core.InputException($"--steps must be at least 1 (got {s})");
            string? configPath = p.GetValue(config);
            RunConfig? baseConfig = configPath is null ? null : ConfigFile.Load(configPath);
            bool isQuick = p.GetValue(quick);
            var plan = isQuick ? TranslationStudyPlan.Quick(baseConfig) with { Steps = p.GetValue(steps) }
                : TranslationStudyPlan.Default(baseConfig, p.GetValue(steps) ?? TranslationStudyPlan.DefaultSteps);
            string root = p.GetValue(output) ?? (isQuick ? "runs/translation-quick" : "runs/translation");
            var settings = plan.Settings();
            Console.WriteLine($"Translation study: {settings.Count} settings → {root}");
            var result = ProgressDisplay.Run(progress => TranslationStudy.Run(plan, root, progress, log: null, cancel));
            string[] headers = ["setting", "held-out L1", "member L1", .. Core.Attacks.AttackRegistry.NamesFor(Core.Attacks.AttackInput.Reconstruction).Select(a => $"{a} AUC")];
            var table = new Table().AddColumns(headers);
            foreach (var r in result.Rows)
                table.AddCells([r.Setting.Name, F(r.Measures.HeldOutL1), F(r.Measures.MemberL1), .. r.Measures.Attacks.Select(a => F(a.Auc))]);
            AnsiConsole.Write(table);
            Console.WriteLine($"Wrote {result.MarkdownPath}, {Path.GetFileName(result.CsvPath)}, {Path.GetFileName(result.JsonPath)} and {Path.GetFileName(result.ReportPath)} in {result.Seconds:0} s.");
            return 0;
        }));
        return command;
    }

    /// <summary>The final table; the per-point MINT columns only when the terminal is wide enough
    /// (factors.md always has them).</summary>
    private static void Print(FactorStudyResult result)
    {
        var points = AnsiConsole.Profile.Width >= 150 ? result.Points : [];
        var table = new Table().AddColumns("factor", "value", "test acc");
        foreach (var point in points) table.AddColumn($"MINT {point}");
        table.AddColumns("MINT all", "MINT rep.", "strongest attack", "AUC", "TPR@1%FPR", "train s");
        foreach (var r in result.Rows)
        {
            var cells = new List<string> { r.Factor, r.Value, F(r.TestAccuracy) };
            cells.AddRange(points.Select(p => F(r.MintAt(p))));
            cells.AddRange([F(r.MintAll), F(r.MintRepeated), r.Attack, F(r.AttackAuc), F(r.AttackTprAt1PctFpr), $"{r.TrainSeconds:0}"]);
            table.AddCells([.. cells]);
        }
        AnsiConsole.Write(table);
    }

    private static string F(double? v) => v is double d ? d.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "–";
}
