using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MiaLab.Cli.Tests;

/// <summary>
/// A fact that needs a real SLURM on this machine: it runs as root (who can start one) with Debian's
/// slurm-wlm installed, and starts slurmctld, slurmd and munge through .ci/start-slurm when they are
/// not running. Elsewhere it is skipped, saying why.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.Unavailable() is string reason) Skip = reason;
    }
}

/// <summary>Starts the single-node SLURM once per test run.</summary>
public static class SlurmCluster
{
    private static readonly Lazy<string?> Started = new(Start);

    public static string? Unavailable()
    {
        if (Environment.UserName != "root") return "the SLURM test needs root (to start slurmctld, slurmd and munge); run ./run-tests as root";
        if (!File.Exists("/usr/sbin/slurmctld") || !File.Exists("/usr/bin/sbatch"))
            return "the SLURM test needs Debian's slurm-wlm and munge (.ci/start-slurm installs them as root)";
        return null;
    }

    /// <summary>Null once SLURM answers; else why it could not be started.</summary>
    public static string? EnsureRunning() => Started.Value;

    private static string? Start()
    {
        string? script = FindUp(".ci/start-slurm");
        if (script is null) return ".ci/start-slurm not found above the test folder";
        var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); return "start-slurm did not finish in 5 minutes"; }
        return p.ExitCode == 0 ? null : $"start-slurm failed ({p.ExitCode}): {output}";
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        return null;
    }

    public static void Scontrol(params string[] args)
    {
        var psi = new ProcessStartInfo("scontrol", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"scontrol {string.Join(' ', args)} failed: {err}");
    }
}

[Collection(MachineLoadCollection.Name)]
public sealed class SlurmTests : CliTest
{
    private static readonly TimeSpan ArrayTimeout = TimeSpan.FromMinutes(4);

    [SlurmFact]
    public void A_four_task_array_fills_one_run_directory_exactly_as_one_process_does()
    {
        Assert.Null(SlurmCluster.EnsureRunning());
        string work = NewWorkDir();
        // One model per pass, so a model trains alone in either case and the results can match bit for bit.
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 4, epochs: 3, modelsPerPass: 1));

        // Held, so the array's tasks are certainly still pending when the attack is tried.
        var submitted = Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "runs/slurm", "--slurm", "4", "--slurm-args", "--hold"));
        string job = Regex.Match(submitted.Stdout, @"Submitted SLURM job (\d+): 4 array tasks").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(job), submitted.ToString());
        Assert.Contains("--shard \"$SLURM_ARRAY_TASK_ID/4\"", File.ReadAllText(Path.Combine(work, "runs/slurm/slurm/train.sbatch")));

        var refused = Cli.AssertUserError(Cli.Run(work, "attack", "--run", "runs/slurm", "--attacks", "loss", "--bootstrap", "0"));
        Assert.Contains("4 of 4 models are not complete (not trained: 0, 1, 2, 3)", refused);
        Assert.Contains($"SLURM job {job} is still running (4 pending)", refused);
        Assert.Contains("0 of 4 models complete", Cli.AssertSuccess(Cli.Run(work, "train", "--run", "runs/slurm", "--status")).Stdout);

        SlurmCluster.Scontrol("release", job);
        var clock = Stopwatch.StartNew();
        CliResult status;
        do
        {
            Thread.Sleep(1000);
            status = Cli.AssertSuccess(Cli.Run(work, "train", "--run", "runs/slurm", "--status"));
        } while (!status.Stdout.Contains("4 of 4 models complete") && clock.Elapsed < ArrayTimeout);
        Assert.True(status.Stdout.Contains("4 of 4 models complete"), $"the array did not finish in {ArrayTimeout}:\n{status}\n" + TaskLogs(work));
        Assert.Equal(["queried", "queried", "queried", "queried"], TestFiles.ManifestStatuses(Path.Combine(work, "runs/slurm")));

        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "runs/single"));
        var fromArray = Results(Path.Combine(work, "runs/slurm"));
        var fromOne = Results(Path.Combine(work, "runs/single"));
        Assert.Equal(fromOne.Keys, fromArray.Keys);
        foreach (var (file, bytes) in fromOne) Assert.True(bytes.SequenceEqual(fromArray[file]), $"{file} differs between the array and the single process");
        Cli.AssertSuccess(Cli.Run(work, "attack", "--run", "runs/slurm", "--attacks", "loss", "--bootstrap", "0"));
    }

    [Fact]
    public void Slurm_without_sbatch_on_the_path_is_one_line_and_writes_nothing()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml());
        var r = Cli.RunWithEnvironment(work, new Dictionary<string, string?> { ["PATH"] = "/nonexistent" },
            "train", "--config", "tiny.yaml", "--run", "runs/x", "--slurm", "4");
        Assert.Equal("mialab: --slurm needs SLURM's sbatch on PATH (not found); run on a cluster's login node, or leave --slurm out and use --shard i/n",
            Cli.AssertUserError(r));
        Assert.False(Directory.Exists(Path.Combine(work, "runs/x")));
    }

    /// <summary>What the plan and the models produced: plan arrays, weights and logits (records hold timings).</summary>
    private static SortedDictionary<string, byte[]> Results(string run)
    {
        var all = TestFiles.Snapshot(run);
        return new SortedDictionary<string, byte[]>(
            all.Where(f => f.Key is "keep.npy" or "labels.npy" or "holdout.npy" || f.Key.EndsWith(".npz", StringComparison.Ordinal)
                || (f.Key.StartsWith("logits/", StringComparison.Ordinal) && f.Key.EndsWith(".npy", StringComparison.Ordinal)))
               .ToDictionary(f => f.Key, f => f.Value), StringComparer.Ordinal);
    }

    private static string TaskLogs(string work)
    {
        string dir = Path.Combine(work, "runs/slurm/slurm");
        return Directory.Exists(dir) ? string.Join("\n", Directory.EnumerateFiles(dir, "task-*.out").Select(f => $"--- {f}\n{File.ReadAllText(f)}")) : "(no task logs)";
    }
}
