using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>
/// Reliability, measured: `mialab audit` killed with SIGKILL in the middle of a write in every stage
/// (the fault injection of AtomicFile kills the process after a temporary file is written and before
/// it is renamed), then run again, ends with the very metrics.json and score files of a run that was
/// never interrupted.
/// </summary>
public class CrashResumeTests : CliTest
{
    private const string Config = "crash.yaml";
    private static readonly string[] Audit = ["audit", "--config", Config, "--run", "R", "--bootstrap", "50"];

    private string NewRun()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, Config, TestFiles.TinyYaml(models: 6, epochs: 5, samples: 500, holdout: 100, modelsPerPass: 2));
        return work;
    }

    /// <summary>metrics.json and every score file, by path inside the run directory.</summary>
    private static Dictionary<string, byte[]> Results(string run) =>
        Directory.EnumerateFiles(Path.Combine(run, "attacks"), "target-*.npy", SearchOption.AllDirectories)
            .Append(Path.Combine(run, "metrics.json"))
            .ToDictionary(p => Path.GetRelativePath(run, p), File.ReadAllBytes);

    private static Dictionary<string, byte[]>? _reference;
    private static readonly Lock Gate = new();

    private Dictionary<string, byte[]> Reference()
    {
        lock (Gate)
        {
            if (_reference is not null) return _reference;
            string work = NewRun();
            Cli.AssertSuccess(Cli.Run(work, Audit));
            return _reference = Results(Path.Combine(work, "R"));
        }
    }

    [Theory]
    [InlineData("keep.npy", "plan")]
    [InlineData("models/model-0003.npz", "train: the weights of the second group's second model")]
    [InlineData("models/model-0004.json", "train: a record, after its weights")]
    [InlineData("logits/model-0002.npy", "query")]
    [InlineData("attacks/lira-online/target-0000.npy", "attack: a score file")]
    [InlineData("attacks/rmia-online/target-0000.json", "attack: a record, after its scores")]
    [InlineData("metrics.json", "evaluate")]
    [InlineData("report/index.html", "report")]
    public void AuditKilledMidWriteResumesToTheUninterruptedResult(string file, string stage)
    {
        var reference = Reference();
        string work = NewRun(), run = Path.Combine(work, "R");
        using (var crashing = Cli.Start(work, new Dictionary<string, string?> { ["MIALAB_TEST_CRASH_AT"] = file }, Audit))
        {
            var killed = crashing.WaitForResult(Cli.DefaultTimeout);
            Assert.True(killed.ExitCode == 137, $"expected a SIGKILL (137) during {stage}, got:\n{killed}");
        }
        // The kill landed mid-write: a temporary file is left and the target was never renamed into place.
        Assert.NotEmpty(Directory.EnumerateFiles(run, ".*.tmp", SearchOption.AllDirectories));

        var resumed = Cli.AssertSuccess(Cli.Run(work, Audit));
        Assert.DoesNotContain("   at ", resumed.Stderr);
        var results = Results(run);
        Assert.Equal(reference.Keys.Order(), results.Keys.Order());
        foreach (var (path, bytes) in reference)
            Assert.True(bytes.AsSpan().SequenceEqual(results[path]), $"{path} differs from the uninterrupted run after a kill during {stage}");
        Assert.True(File.Exists(Path.Combine(run, "report", "index.html")));
    }

    [Fact]
    public void TwoShardProcessesFillingOneRunAtOnceEndWithTheSequentialResult()
    {
        string work = NewRun();
        string[] Shard(string dir, int i) => ["train", "--config", Config, "--run", dir, "--shard", $"{i}/2"];
        using (var a = Cli.Start(work, Shard("P", 0)))
        using (var b = Cli.Start(work, Shard("P", 1)))
        {
            Cli.AssertSuccess(a.WaitForResult(Cli.DefaultTimeout));
            Cli.AssertSuccess(b.WaitForResult(Cli.DefaultTimeout));
        }
        Cli.AssertSuccess(Cli.Run(work, Shard("S", 0)));
        Cli.AssertSuccess(Cli.Run(work, Shard("S", 1)));
        Assert.All(TestFiles.ManifestStatuses(Path.Combine(work, "P")), s => Assert.Equal("queried", s));
        for (int m = 0; m < 6; m++)
        {
            string name = Path.Combine("logits", TestFiles.ModelName(m) + ".npy");
            Assert.Equal(File.ReadAllBytes(Path.Combine(work, "S", name)), File.ReadAllBytes(Path.Combine(work, "P", name)));
        }
        Cli.AssertSuccess(Cli.Run(work, "attack", "--run", "P", "--attacks", "loss,rmia-online", "--bootstrap", "0"));
    }

    [Fact]
    public void TwoConfigsRacingForANewDirectoryGetOnePlanAndOneClearRefusal()
    {
        string work = NewRun();
        TestFiles.Write(work, "other.yaml", TestFiles.TinyYaml(models: 6, epochs: 5, samples: 500, holdout: 100, modelsPerPass: 2, seed: 9));
        CliResult first, second;
        using (var a = Cli.Start(work, "train", "--config", Config, "--run", "X"))
        using (var b = Cli.Start(work, "train", "--config", "other.yaml", "--run", "X"))
        {
            first = a.WaitForResult(Cli.DefaultTimeout);
            second = b.WaitForResult(Cli.DefaultTimeout);
        }
        var results = new[] { first, second };
        Assert.Single(results, r => r.ExitCode == 0);
        var refused = results.Single(r => r.ExitCode != 0);
        Assert.Contains("made with another config", Cli.AssertUserError(refused));
        // What was trained is what the manifest says: a rerun with the winner's config trains nothing new.
        string winner = first.ExitCode == 0 ? Config : "other.yaml";
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", winner, "--run", "X"));
    }

    [SkippableFact]
    public void AFullDiskIsOneClearLineAndLeavesNothingARerunWouldTakeAsComplete()
    {
        Skip.IfNot(Environment.UserName == "root", "needs root to mount a small tmpfs (CI runs as root)");
        var reference = Reference();
        string work = NewRun();
        string disk = Path.Combine(work, "disk");
        Directory.CreateDirectory(disk);
        // 600 KiB: room for the plan, the models and their logits, not for every score file and the report.
        Mount("-t", "tmpfs", "-o", "size=600k", "tmpfs", disk);
        try
        {
            string run = Path.Combine(disk, "R");
            var full = Cli.Run(work, "audit", "--config", Config, "--run", run, "--bootstrap", "50");
            string line = Cli.AssertUserError(full);
            Assert.Contains("No space left on device", line);
            Assert.Empty(Directory.EnumerateFiles(run, ".*.tmp", SearchOption.AllDirectories));
            // Every record present describes complete files: scores that hash to what it says.
            foreach (var record in Directory.EnumerateFiles(Path.Combine(run, "attacks"), "target-*.json", SearchOption.AllDirectories))
            {
                var parsed = MiaLab.Core.Pipeline.AttackRecord.TryRead(record);
                Assert.NotNull(parsed);
                Assert.Equal(parsed!.ScoresSha256, FileHash.Sha256(Path.ChangeExtension(record, ".npy")));
            }
            // Moved to a disk with room, the same command finishes with the uninterrupted result.
            string moved = Path.Combine(work, "R");
            CopyDirectory(run, moved);
            Cli.AssertSuccess(Cli.Run(work, Audit));
            var results = Results(moved);
            foreach (var (path, bytes) in reference)
                Assert.True(bytes.AsSpan().SequenceEqual(results[path]), $"{path} differs from the uninterrupted run");
        }
        finally
        {
            Mount("-l", disk, umount: true);
        }
    }

    private static void Mount(params string[] args) => Mount(args, umount: false);

    private static void Mount(string option, string target, bool umount) => Mount([option, target], umount);

    private static void Mount(string[] args, bool umount)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(umount ? "umount" : "mount") { RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{psi.FileName} {string.Join(' ', args)} failed: {p.StandardError.ReadToEnd()}");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
