using System.Diagnostics;

namespace MiaLab.Core.IO;

/// <summary>What a program run answered: whether it could be started at all (false: not installed,
/// or not executable), its exit code, and everything it printed.</summary>
public sealed record ProgramResult(bool Started, int ExitCode, string Stdout, string Stderr, bool TimedOut = false)
{
    public bool Succeeded => Started && !TimedOut && ExitCode == 0;

    /// <summary>The last non-empty line of stderr (else stdout), for a one-line reason.</summary>
    public string LastLine() => Last(Stderr) ?? Last(Stdout) ?? "no output";

    private static string? Last(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}

/// <summary>Runs another program (apt-get, sbatch, squeue) with its output captured, both pipes
/// read at once so a full pipe cannot block it, within a time limit.</summary>
public static class ExternalProgram
{
    public static ProgramResult Run(string program, IEnumerable<string> args, TimeSpan limit, string? workingDirectory = null,
        CancellationToken cancel = default)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (string a in args) info.ArgumentList.Add(a);
        Process? p;
        try
        {
            p = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new(false, -1, "", e.NativeErrorCode == 2 ? $"{program} is not installed" : $"cannot run {program}: {e.Message}");
        }
        if (p is null) return new(false, -1, "", $"cannot run {program}");
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timer.CancelAfter(limit);
            try
            {
                p.WaitForExitAsync(timer.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                cancel.ThrowIfCancellationRequested();
                return new(true, -1, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), TimedOut: true);
            }
            return new(true, p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? Find(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string path = Path.Combine(dir, program);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
