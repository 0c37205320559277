using MiaLab.Core;

namespace MiaLab.Cli.Commands;

/// <summary>Runs a command body with the CLI's error contract: a user mistake is one line on
/// stderr and exit code 2 (so is a file-system failure: no room, no permission, a path that cannot
/// exist); Ctrl-C stops cleanly (completed work is kept) with exit code 130;
/// anything else is a bug and propagates with its stack trace (exit code 1).</summary>
internal static class CommandRunner
{
    public static int Run(Func<CancellationToken, int> body)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return body(cancel.Token);
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"mialab: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The stages name the file in their own errors; this is the backstop for a file-system
            // failure on a path no stage checked (the message of .NET's exception names the path).
            Console.Error.WriteLine($"mialab: {InputException.OneLine(e.Message)}");
            return 2;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("mialab: interrupted; completed models are kept — run the same command again to resume");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
