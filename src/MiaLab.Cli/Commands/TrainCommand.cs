using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Cluster;
using MiaLab.Core.Config;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create()
    {
        var config = Options.Config(required: false);
        config.Description = "A YAML or JSON config file (see examples/); required unless --status.";
        var run = Options.Run();
        var shard = new Option<string>("--shard") { Description = "Train only models k ≡ i (mod n), as i/n, so several processes can fill one run directory." };
        var slurm = Options.OptionalNumber("--slurm", "Plan the run here, then submit a SLURM array of N tasks (sbatch), task i training shard i/N; prints the job id.", 1, 100_000);
        var slurmArgs = new Option<string>("--slurm-args") { Description = "Extra sbatch options for --slurm, e.g. \"--partition=gpu --time=2:00:00\"." };
        var status = new Option<bool>("--status") { Description = "Show each model's progress (and the SLURM job's tasks) instead of training." };
        var device = Options.Device();
        var command = new Command("train", "Plan the run, train its models and query them, resuming where it stopped.\n" +
            "Example: mialab train --config examples/fashion-mnist.yaml --run runs/fm   (--slurm 8: on a cluster; --status: progress)")
        { config, run, shard, slurm, slurmArgs, status, device };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            string root = p.GetValue(run)!;
            if (p.GetValue(status))
            {
                if (p.GetValue(shard) is not null || p.GetValue(slurm) is not null)
                    throw new InputException("--status only reports; give it with --run alone");
                return Status(root);
            }
            string configPath = p.GetValue(config) ?? throw new InputException("--config is required (or --status to see a run's progress)");
            var (index, count) = ParseShard(p.GetValue(shard));
            int? tasks = p.GetValue(slurm);
            IReadOnlyList<string> sbatchArgs = [];
            if (tasks is not null)
            {
                // Every option is checked before the first byte is written.
                if (p.GetValue(shard) is not null) throw new InputException("give either --slurm N or --shard i/n, not both (each SLURM task gets its own shard)");
                sbatchArgs = Slurm.SplitArguments(p.GetValue(slurmArgs));
                Slurm.RequireSbatch();
            }
            else if (p.GetValue(slurmArgs) is not null) throw new InputException("--slurm-args needs --slurm N");
            var cfg = Options.WithDevice(ConfigFile.Load(configPath), p.GetValue(device));
            if (tasks is int n) return Submit(cfg, configPath, root, n, sbatchArgs, p.GetValue(device), cancel);
            Stages.TrainAndQuery(cfg, root, index, count, cancel);
            return 0;
        }));
        return command;
    }

    /// <summary>Plans the run on this machine (so every task finds one plan and the data is checked
    /// once), then submits the array: task i runs this same mialab with --shard i/N.</summary>
    private static int Submit(RunConfig cfg, string configPath, string root, int tasks, IReadOnlyList<string> sbatchArgs, string? device,
        CancellationToken cancel)
    {
        var (run, _) = Stages.Plan(cfg, root, cancel);
        if (SlurmJob.Read(run.Paths) is { } previous && Slurm.State(previous).Active > 0)
            throw new InputException($"SLURM job {previous.JobId} is still filling {run.Root}; wait for it (mialab train --run {run.Root} --status) or scancel it");
        string script = Slurm.Script(Self(), Path.GetFullPath(configPath), run.Paths, tasks, Environment.CurrentDirectory, device);
        var job = Slurm.Submit(run.Paths, script, tasks, sbatchArgs);
        Console.WriteLine($"Submitted SLURM job {job.JobId}: {tasks} array tasks fill {run.Root} (script {job.Script}).");
        Console.WriteLine($"Follow it with: mialab train --run {run.Root} --status");
        return 0;
    }

    private static int Status(string root)
    {
        var run = RunDirectory.Open(root);
        if (run.Config is null) throw new InputException($"{run.Root}: no manifest.json; --status reads a run directory made by 'mialab train'");
        Tables.PrintProgress(RunCompleteness.Of(run));
        if (SlurmJob.Read(run.Paths) is { } job)
            Console.WriteLine($"SLURM job {job.JobId} ({job.Tasks} tasks, submitted {job.SubmittedUtc:u}): {Slurm.State(job).Summary()}.");
        return 0;
    }

    /// <summary>How a compute node runs this mialab: the installed tool's own executable, or
    /// `dotnet mialab.dll` when started that way (./mialab, the tests).</summary>
    private static IReadOnlyList<string> Self()
    {
        string process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(TrainCommand).Assembly.Location]
            : [process];
    }

    private static (int Index, int Count) ParseShard(string? text)
    {
        if (text is null) return (0, 1);
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out int i) && int.TryParse(parts[1], out int n) && n >= 1 && n <= 100_000 && i >= 0 && i < n)
            return (i, n);
        throw new InputException($"--shard '{text}' must be i/n with 0 ≤ i < n ≤ 100000, e.g. 0/2");
    }
}
