using System.Globalization;
using System.Text;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Cluster;

/// <summary>The states of a SLURM job's array tasks, as squeue lists them (finished tasks drop out).</summary>
public sealed record SlurmState(bool Known, IReadOnlyDictionary<string, int> Tasks)
{
    /// <summary>Tasks still queued or running.</summary>
    public int Active => Tasks.Values.Sum();

    public string Summary() => !Known ? "state unknown (squeue is not available)"
        : Active == 0 ? "no task queued or running"
        : string.Join(", ", Tasks.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Value} {t.Key.ToLowerInvariant()}"));
}

/// <summary>
/// Fills a run directory from a SLURM array job: reference models are independent, so task i of N
/// runs `mialab train --shard i/N` on the run directory (on storage every node sees), and the
/// per-model records (written last, under the run's lock) make the tasks' results one run. The
/// script is written into the run (slurm/train.sbatch) and submitted with sbatch; squeue tells
/// which tasks are still active.
/// </summary>
public static class Slurm
{
    public const string ScriptName = "train.sbatch";
    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(2);

    /// <summary>sbatch on PATH, else one line saying what --slurm needs.</summary>
    public static string RequireSbatch() =>
        ExternalProgram.Find("sbatch")
        ?? throw new InputException("--slurm needs SLURM's sbatch on PATH (not found); run on a cluster's login node, or leave --slurm out and use --shard i/n");

    /// <summary>The sbatch array script: task $SLURM_ARRAY_TASK_ID of <paramref name="tasks"/> trains its shard.</summary>
    /// <param name="mialab">The command that runs mialab on a node, as arguments (e.g. [dotnet, /path/mialab.dll]).</param>
    public static string Script(IReadOnlyList<string> mialab, string config, RunLayout run, int tasks, string workingDirectory, string? device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append("# Written by mialab train --slurm: one array task per shard of the run's models.\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name=mialab-{Safe(Path.GetFileName(run.Root))}\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{tasks - 1}\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(run.SlurmDirectory, "task-%a.out")}\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --chdir={workingDirectory}\n");
        s.Append("set -euo pipefail\n");
        var command = mialab.Concat(["train", "--config", config, "--run", run.Root]);
        if (device is not null) command = command.Concat(["--device", device]);
        s.Append(string.Join(' ', command.Select(Quote)));
        s.Append(CultureInfo.InvariantCulture, $" --shard \"$SLURM_ARRAY_TASK_ID/{tasks}\"\n");
        return s.ToString();
    }

    /// <summary>Writes the script into the run and submits it; returns the job (also written to slurm.json).</summary>
    public static SlurmJob Submit(RunLayout run, string script, int tasks, IReadOnlyList<string> sbatchArguments)
    {
        string sbatch = RequireSbatch();
        Directory.CreateDirectory(run.SlurmDirectory);
        string path = Path.Combine(run.SlurmDirectory, ScriptName);
        AtomicFile.WriteAllText(path, script);
        var result = ExternalProgram.Run(sbatch, ["--parsable", .. sbatchArguments, path], CommandLimit);
        if (!result.Succeeded)
            throw new InputException($"sbatch refused the job: {(result.TimedOut ? "no answer within 2 minutes" : result.LastLine())}");
        // --parsable prints "jobid" or "jobid;cluster".
        string id = result.Stdout.Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw new InputException($"sbatch answered '{result.Stdout.Trim()}', not a job id");
        var job = new SlurmJob(id, tasks, path, DateTime.UtcNow);
        job.Write(run);
        return job;
    }

    /// <summary>How many of the job's tasks squeue lists in each state (PENDING, RUNNING, …).</summary>
    public static SlurmState State(SlurmJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (ExternalProgram.Find("squeue") is not string squeue) return new SlurmState(false, new Dictionary<string, int>());
        var result = ExternalProgram.Run(squeue, ["--noheader", "--array", "--jobs", job.JobId, "--format=%T"], CommandLimit);
        // squeue exits non-zero for a job it no longer knows: nothing is active.
        if (!result.Started || result.TimedOut) return new SlurmState(false, new Dictionary<string, int>());
        if (result.ExitCode != 0) return new SlurmState(true, new Dictionary<string, int>());
        var states = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new SlurmState(true, states);
    }

    /// <summary>Splits --slurm-args text into arguments as a shell would (spaces; single or double quotes group).</summary>
    public static IReadOnlyList<string> SplitArguments(string? text)
    {
        var args = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return args;
        var current = new StringBuilder();
        bool any = false;
        char quote = '\0';
        foreach (char c in text)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else current.Append(c);
            }
            else if (c is '\'' or '"') { quote = c; any = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (any || current.Length > 0) args.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else current.Append(c);
        }
        if (quote != '\0') throw new InputException($"--slurm-args has an unclosed {quote} quote: {text}");
        if (any || current.Length > 0) args.Add(current.ToString());
        return args;
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    private static string Safe(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
}
