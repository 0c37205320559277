using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;
using MiaLab.Experiments;
using MiaLab.Experiments.AttackSettings;
using MiaLab.Experiments.Studies;
using MiaLab.Experiments.Defenses;
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
        command.Subcommands.Add(AttackSettingsCommand());
        command.Subcommands.Add(DefensesCommand());
        command.Subcommands.Add(PowerLawCommand.Create());
        command.Subcommands.Add(TranslationCommand());
        return command;
    }

    private static Command AttackSettingsCommand()
    {
        var run = Options.Run(create: false);
        run.Description = "A run directory with trained and queried models; every model is attacked in turn.";
        var command = new Command("attack-settings",
            "Measure alternative attack settings (RMIA's γ and a, LiRA's variance, test and signal, the shadow classifier, reference " +
            "policies) on a run's models, every model a target, pooled over targets: the table the registry's defaults were chosen from. " +
            "Writes <run>/attack-settings/attack-settings.md and .csv; a rerun reuses the scores.\nExample: mialab experiment attack-settings --run runs/fm")
        { run };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var dir = RunDirectory.Open(p.GetValue(run)!);
            string folder = Path.Combine(dir.Root, "attack-settings");
            var alternatives = AttackSettingsComparison.Default();
            var results = ProgressDisplay.Run(progress => AttackSettingsComparison.Measure(dir, alternatives, folder, progress, cancel));
            var table = AttackSettingsComparison.Table(results);
            string title = $"Attack settings on {Path.GetFileName(dir.Root)}";
            string intro = $"Every model of {dir.Root} attacked in turn ({dir.Models} targets); metrics pooled over the targets, no bootstrap." +
                string.Concat(results.Where(r => r.NotApplicable is not null).Select(r => $" Not run: {r.Alternative.Attack} {r.Alternative.Label} ({r.NotApplicable})."));
            AtomicFile.WriteAllText(Path.Combine(folder, "attack-settings.md"), StudyTables.Markdown(table, title, intro));
            AtomicFile.WriteAllText(Path.Combine(folder, "attack-settings.csv"), StudyTables.Csv(table));
            var terminal = new Table().AddColumns(table.Columns.Select(c => c.Unit is null ? c.Header : $"{c.Header} ({c.Unit})").ToArray());
            foreach (var row in table.Rows) terminal.AddRow(row.Cells.Select(c => Markup.Escape(c.Text)).ToArray());
            AnsiConsole.Write(terminal);
            Console.WriteLine($"Wrote {Path.Combine(folder, "attack-settings.md")}");
            return 0;
        }));
        return command;
    }

    private static Command DefensesCommand()
    {
        var options = StudyOptions.Create("The base config every setting adds a defense to (default: the built-in audit's MLP on Fashion-MNIST, 9 models).",
            "A reduced study (tiny synthetic data, one value per defense) for CI.", "runs/defenses", "runs/defenses-quick");
        var command = new Command("defenses",
            "Defense trade-off study: no defense, Weighted Smoothing over σ, DP-SGD over ε (and clipping only), label smoothing, dropout, " +
            "weight decay and early stopping; test accuracy against every attack, with the accountant's and the empirical ε. " +
            "A rerun reuses trained settings.\nExample: mialab experiment defenses --quick")
        { options.Config, options.Quick, options.Output };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var (baseConfig, isQuick, root) = options.Read(p);
            var plan = isQuick ? DefenseStudyPlan.Quick(baseConfig) : DefenseStudyPlan.Default(baseConfig);
            var settings = plan.Settings(); // every setting's config is validated (and σ computed) before anything runs
            Console.WriteLine($"Defense study: {settings.Count} settings → {root}");
            var result = ProgressDisplay.Run(progress => DefenseStudy.Run(plan, root, progress, log: null, cancel));
            var table = new Table().AddColumns("defense", "setting", "test acc", "strongest", "AUC", "TPR@1%FPR", "ε acct", "ε emp");
            foreach (var r in result.Rows)
            {
                var m = r.Measures;
                table.AddCells(r.Setting.Family, Markup.Escape(r.Setting.Value), F(m.TestAccuracy), m.Strongest, F(m.StrongestAttack?.Auc),
                    F(m.StrongestAttack?.Tpr1), F(m.AccountantEpsilon), F(m.MaxEmpiricalEpsilon));
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"Wrote {result.MarkdownPath}, {Path.GetFileName(result.CsvPath)}, {Path.GetFileName(result.JsonPath)}, " +
                $"{DefenseStudy.AttacksFile} and {Path.GetFileName(result.ReportPath)} in {result.Seconds:0} s.");
            return 0;
        }));
        return command;
    }

    private static Command FactorsCommand()
    {
        var options = StudyOptions.Create("The base config every setting changes one factor of (default: a small CNN on Fashion-MNIST; see examples/factors.yaml).",
            "A reduced study (tiny population, two values per factor, few epochs) for CI.", DefaultOut, QuickOut);
        var command = new Command("factors",
            "MINT training-factor study: train audited models changing one factor at a time (times a sample is seen, batch size, " +
            "dropout, training loss) and report test accuracy, MINT balanced accuracy per capture point and the strongest attack. " +
            "A rerun reuses trained models.\nExample: mialab experiment factors --quick")
        { options.Config, options.Quick, options.Output };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var (baseConfig, isQuick, root) = options.Read(p);
            var plan = isQuick ? FactorStudyPlan.Quick(baseConfig) : FactorStudyPlan.Default(baseConfig);
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
        var options = StudyOptions.Create(
            "The base config (model.kind unet with a task section) whose task, target size and population each setting sets (default: 4 U-Nets [8, 16] on Fashion-MNIST).",
            "A reduced study (one task, two output sizes, tiny models) for CI.", "runs/translation", "runs/translation-quick");
        var steps = Options.OptionalNumber("--steps",
            $"Optimisation steps per model in every setting (default {TranslationStudyPlan.DefaultSteps}; --quick keeps its 2 epochs).", 1, 10_000_000);
        var command = new Command("translation",
            "Image-to-image leakage study: tasks × output resolution (7×7, 14×14, 28×28 targets) × training-set size; per setting the held-out L1 and " +
            "the AUC and TPR at 1% / 0.1% FPR of recon, recon-predictability and LiRA / RMIA on the reconstruction error. A rerun reuses trained models.\n" +
            "Example: mialab experiment translation --quick")
        { options.Config, options.Quick, steps, options.Output };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var (baseConfig, isQuick, root) = options.Read(p);
            var plan = isQuick ? TranslationStudyPlan.Quick(baseConfig) with { Steps = p.GetValue(steps) }
                : TranslationStudyPlan.Default(baseConfig, p.GetValue(steps) ?? TranslationStudyPlan.DefaultSteps);
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
        // The default detector has a column of its own, always shown, so it is left out of the optional per-point ones.
        var points = AnsiConsole.Profile.Width >= 150 ? result.Points.Where(p => p != FactorRow.DefaultPoint).ToList() : [];
        var table = new Table().AddColumns("factor", "value", "test acc");
        foreach (var point in points) table.AddColumn($"MINT {point}");
        table.AddColumns($"MINT {FactorRow.DefaultPoint}", "MINT all", "MINT rep.", "strongest attack", "AUC", "TPR@1%FPR", "train s");
        foreach (var r in result.Rows)
        {
            var cells = new List<string> { r.Factor, r.Value, F(r.TestAccuracy) };
            cells.AddRange(points.Select(p => F(r.MintAt(p))));
            cells.AddRange([F(r.MintDefault), F(r.MintAll), F(r.MintRepeated), r.Attack, F(r.AttackAuc), F(r.AttackTprAt1PctFpr), $"{r.TrainSeconds:0}"]);
            table.AddCells([.. cells]);
        }
        AnsiConsole.Write(table);
    }

    private static string F(double? v) => v is double d ? d.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "–";

    /// <summary>The options every study takes: a base config, --quick and the study's folder.</summary>
    internal sealed record StudyOptions(Option<string> Config, Option<bool> Quick, Option<string> Output, string DefaultOut, string QuickOut)
    {
        public static StudyOptions Create(string configDescription, string quickDescription, string defaultOut, string quickOut)
        {
            var config = Options.Config(required: false);
            config.Description = configDescription;
            var output = Options.Run(required: false);
            output.Description = $"The study's folder (default: {defaultOut}, or {quickOut} with --quick); one run directory per setting inside it.";
            return new StudyOptions(config, new Option<bool>("--quick") { Description = quickDescription }, output, defaultOut, quickOut);
        }

        public (RunConfig? Base, bool Quick, string Root) Read(ParseResult p)
        {
            string? path = p.GetValue(Config);
            bool quick = p.GetValue(Quick);
            return (path is null ? null : ConfigFile.Load(path), quick, p.GetValue(Output) ?? (quick ? QuickOut : DefaultOut));
        }
    }
}
