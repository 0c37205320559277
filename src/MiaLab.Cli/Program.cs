using System.CommandLine;
using MiaLab.Cli.Commands;

namespace MiaLab.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A usage mistake is a user error: one line, exit code 2. A word that is no command is
            // named as such (the parser would only say that a command is required).
            var unknown = parsed.UnmatchedTokens.FirstOrDefault();
            string message = unknown is not null && parsed.CommandResult.Command == root && !unknown.StartsWith('-')
                ? $"unknown command '{unknown}'; commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))}"
                : parsed.Errors[0].Message;
            Console.Error.WriteLine($"mialab: {message} (see 'mialab --help')");
            return 2;
        }
        return parsed.Invoke();
    }

    /// <summary>Every command, with the checks every option shares (ranges, no empty text).</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("MiaLab — measure what a trained model reveals about the records it was trained on.")
        {
            AuditCommand.Create(),
            TrainCommand.Create(),
            QueryCommand.Create(),
            ExportCommand.Create(),
            AttackCommand.Create(),
            EvaluateCommand.Create(),
            ReportCommand.Create(),
            SignalCommand.Create(),
            BenchCommand.Create(),
            MintCommand.Create(),
            ExperimentCommand.Create(),
            DpCommand.Create(),
        };
        Options.RefuseEmptyText(root);
        return root;
    }
}
