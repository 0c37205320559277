using System.CommandLine;
using MiaLab.Cli.Commands;

namespace MiaLab.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("MiaLab — measure what a trained model reveals about the records it was trained on.");
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(AttackCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(SignalCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(MintCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A usage mistake is a user error: one line, exit code 2.
            Console.Error.WriteLine($"mialab: {parsed.Errors[0].Message} (see 'mialab --help')");
            return 2;
        }
        return parsed.Invoke();
    }
}
