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
        command.Subcommands.Add(PowerLawCommand.Create());
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
