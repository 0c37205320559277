using MiaLab.Core.Pipeline;
using Spectre.Console;

namespace MiaLab.Cli.Terminal;

/// <summary>Shows stage progress as Spectre.Console bars with elapsed time and ETA; on a
/// terminal that is not interactive (CI, a pipe) it prints a line per 10% instead.</summary>
internal static class ProgressDisplay
{
    public static T Run<T>(Func<Action<StageProgress>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return work(PlainReporter());
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                return work(p =>
                {
                    if (!tasks.TryGetValue(p.Task, out var task))
                        tasks[p.Task] = task = context.AddTask(p.Task, maxValue: Math.Max(p.Total, 1e-9));
                    task.MaxValue = Math.Max(p.Total, 1e-9);
                    task.Value = Math.Min(p.Done, task.MaxValue);
                });
            });
    }

    /// <summary>As <see cref="Run{T}(Func{Action{StageProgress}, T})"/>, with a log for the work whose
    /// lines print above the bars (a line written straight to the console would be overdrawn).</summary>
    public static T Run<T>(Func<Action<StageProgress>, Action<string>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return work(PlainReporter(), Console.WriteLine);
        return Run(progress => work(progress, line => AnsiConsole.WriteLine(line)));
    }

    private static Action<StageProgress> PlainReporter()
    {
        var lastDecile = new Dictionary<string, int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return p =>
        {
            int decile = p.Total <= 0 ? 10 : (int)Math.Floor(10 * p.Done / p.Total);
            if (lastDecile.TryGetValue(p.Task, out int seen) && seen >= decile) return;
            lastDecile[p.Task] = decile;
            Console.WriteLine($"  {p.Task}: {p.Done:0.#}/{p.Total:0.#} ({10 * decile}%) after {clock.Elapsed:mm\\:ss}");
        };
    }
}
