using System.CommandLine;
using MiaLab.Core.Runs;
using MiaLab.Reports;

namespace MiaLab.Cli.Commands;

internal static class ReportCommand
{
    public static Command Create()
    {
        var run = Options.Run(create: false);
        var target = Options.Target();
        var command = new Command("report", "Rebuild report/index.html of a run directory from its files (metrics.json, the score files, " +
            "keep/labels/holdout, MINT results); models and logits are not needed.\nExample: mialab report --run runs/fm")
        { run, target };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            var dir = RunDirectory.Open(p.GetValue(run)!);
            Console.WriteLine($"Report: {ReportStage.Write(dir, p.GetValue(target) ?? 0, null, Console.WriteLine)}");
            return 0;
        }));
        return command;
    }
}
