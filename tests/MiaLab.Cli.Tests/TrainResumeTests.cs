using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>Seeds make runs repeatable; a killed or damaged run resumes without redoing finished work.</summary>
public sealed class TrainResumeTests : CliTest
{
    [Fact]
    public void Training_the_same_config_twice_gives_identical_keep_logits_and_weights()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 4, epochs: 5, modelsPerPass: 2));

        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "A"));
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "B"));

        string a = Path.Combine(work, "A"), b = Path.Combine(work, "B");
        foreach (var f in new[] { "keep.npy", "labels.npy", "holdout.npy" })
            Assert.True(File.ReadAllBytes(Path.Combine(a, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f))), $"{f} differs between two runs");
        var logits = Directory.GetFiles(Path.Combine(a, "logits"), "*.npy").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(4, logits.Length);
        Assert.Equal(logits, Directory.GetFiles(Path.Combine(b, "logits"), "*.npy").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var f in logits)
            Assert.True(File.ReadAllBytes(Path.Combine(a, "logits", f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, "logits", f!))),
                $"logits/{f} differs between two runs");

        // The weights: the same tensors with the same values (the .npz container may carry write times).
        for (int m = 0; m < 4; m++)
        {
            var wa = Npz.Read(Path.Combine(a, "models", TestFiles.ModelName(m) + ".npz"));
            var wb = Npz.Read(Path.Combine(b, "models", TestFiles.ModelName(m) + ".npz"));
            Assert.Equal(wa.Keys.Order(StringComparer.Ordinal), wb.Keys.Order(StringComparer.Ordinal));
            foreach (var key in wa.Keys)
            {
                Assert.Equal(wa[key].Shape, wb[key].Shape);
                Assert.Equal(wa[key].ToFloat64(), wb[key].ToFloat64());
            }
        }
    }

    [Fact]
    public void Train_killed_with_sigkill_resumes_without_retraining_finished_models()
    {
        string work = NewWorkDir();
        // 6 models trained one at a time, sized so the whole run takes a few seconds.
        TestFiles.Write(work, "slow.yaml", TestFiles.TinyYaml(models: 6, epochs: 15, samples: 1200, holdout: 0, modelsPerPass: 1, seed: 1));
        string run = Path.Combine(work, "R"), models = Path.Combine(run, "models");
        string[] args = ["train", "--config", "slow.yaml", "--run", "R"];

        using (var first = Cli.Start(work, args))
        {
            // Poll (no timing assertion: only a generous upper bound) until a model is committed.
            var deadline = DateTime.UtcNow + Cli.DefaultTimeout;
            while (!(Directory.Exists(models) && Directory.EnumerateFiles(models, "model-*.json").Any()))
            {
                if (first.HasExited)
                    Assert.Fail($"train exited before committing a model:\n{first.WaitForResult(TimeSpan.FromSeconds(10))}");
                Assert.True(DateTime.UtcNow < deadline, "no model was committed in time");
                Thread.Sleep(20);
            }
            first.KillHard();
            var killed = first.WaitForResult(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, killed.ExitCode);
        }

        var complete = Enumerable.Range(0, 6).Where(m => File.Exists(Path.Combine(models, TestFiles.ModelName(m) + ".json"))).ToArray();
        Assert.NotEmpty(complete);
        Assert.True(complete.Length < 6, "the run finished before it could be killed; make the config slower");
        // A record means the model's weights are committed (the query stage adds its logits later).
        var before = complete.ToDictionary(m => m, m => File.ReadAllBytes(Path.Combine(models, TestFiles.ModelName(m) + ".npz")));

        // What a kill during an atomic write leaves behind, for a model that was not finished:
        // a temporary file, and a weights file without its record.
        int unfinished = Enumerable.Range(0, 6).First(m => !complete.Contains(m));
        string name = TestFiles.ModelName(unfinished);
        File.WriteAllBytes(Path.Combine(models, $".{name}.npz.99999.0123456789abcdef.tmp"), [0x50, 0x4B, 0x03]);
        File.WriteAllBytes(Path.Combine(models, $".{name}.json.99999.0123456789abcdef.tmp"), "{\"index\":"u8.ToArray());
        File.WriteAllBytes(Path.Combine(models, name + ".npz"), [0x50, 0x4B, 0x03, 0x04, 0, 0]);

        var resumed = Cli.AssertSuccess(Cli.Run(work, args));

        Assert.All(TestFiles.ManifestStatuses(run), s => Assert.Equal("queried", s));
        Assert.Equal(6, TestFiles.ManifestStatuses(run).Length);
        foreach (var (m, weights) in before)
        {
            string n = TestFiles.ModelName(m);
            Assert.True(weights.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(models, n + ".npz"))), $"model {m} was retrained after the resume");
            Assert.Equal(new[] { 1200, 1, 3 }, Npy.ReadHeader(Path.Combine(run, "logits", n + ".npy")).Shape);
        }
        // The planted partial weights were replaced by a real model.
        Assert.True(new FileInfo(Path.Combine(models, name + ".npz")).Length > 100, $"{name}.npz is still the partial file");
        Assert.NotEmpty(Npz.Read(Path.Combine(models, name + ".npz")));
        Assert.Equal(new[] { 1200, 1, 3 }, Npy.ReadHeader(Path.Combine(run, "logits", name + ".npy")).Shape);
        Assert.DoesNotContain("   at ", resumed.Stderr);
    }

    [Fact]
    public void A_corrupt_weights_file_is_retrained_and_missing_logits_are_requeried()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 4, epochs: 5, modelsPerPass: 1));
        string run = Path.Combine(work, "R"), models = Path.Combine(run, "models");
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "R"));

        string Record(int m) => Path.Combine(models, TestFiles.ModelName(m) + ".json");
        string Weights(int m) => Path.Combine(models, TestFiles.ModelName(m) + ".npz");
        string Logits(int m) => Path.Combine(run, "logits", TestFiles.ModelName(m) + ".npy");
        var times = Enumerable.Range(0, 4).Select(m => File.GetLastWriteTimeUtc(Record(m))).ToArray();
        var weights = Enumerable.Range(0, 4).Select(m => File.ReadAllBytes(Weights(m))).ToArray();
        var logits1 = File.ReadAllBytes(Logits(1));

        // Garbage over model 1's weights: train again redoes model 1 only.
        File.WriteAllText(Weights(1), "this is not a zip file, it is garbage");
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "R"));
        Assert.All(TestFiles.ManifestStatuses(run), s => Assert.Equal("queried", s));
        foreach (int m in new[] { 0, 2, 3 })
        {
            Assert.Equal(times[m], File.GetLastWriteTimeUtc(Record(m)));
            Assert.True(weights[m].AsSpan().SequenceEqual(File.ReadAllBytes(Weights(m))), $"model {m} was retrained");
        }
        Assert.NotEqual(times[1], File.GetLastWriteTimeUtc(Record(1)));
        Assert.NotEmpty(Npz.Read(Weights(1)));
        // Retrained from the same seeds: the same logits as the first time.
        Assert.True(logits1.AsSpan().SequenceEqual(File.ReadAllBytes(Logits(1))), "retrained model 1 gives other logits than the first time");

        // Model 2's logits deleted: query recomputes them (and only them) from the saved weights.
        var logits2 = File.ReadAllBytes(Logits(2));
        var logits0Time = File.GetLastWriteTimeUtc(Logits(0));
        File.Delete(Logits(2));
        Cli.AssertSuccess(Cli.Run(work, "query", "--run", "R"));
        Assert.True(File.Exists(Logits(2)), "query did not recompute logits/model-0002.npy");
        Assert.True(logits2.AsSpan().SequenceEqual(File.ReadAllBytes(Logits(2))), "recomputed logits differ from the originals");
        Assert.Equal(logits0Time, File.GetLastWriteTimeUtc(Logits(0)));
        Assert.All(TestFiles.ManifestStatuses(run), s => Assert.Equal("queried", s));
    }

    /// <summary>The same config gives the same weights and scores (DESIGN.md), also when a model is
    /// retrained after its file was corrupted: its whole pass is retrained, never the model alone.</summary>
    [Fact]
    public void A_model_retrained_after_corruption_gives_the_same_logits_as_in_the_uninterrupted_run()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "pairs.yaml", TestFiles.TinyYaml(models: 4, epochs: 5, modelsPerPass: 2));
        string run = Path.Combine(work, "R");
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "pairs.yaml", "--run", "R"));
        string logits = Path.Combine(run, "logits", "model-0001.npy");
        var original = File.ReadAllBytes(logits);

        // Model 1 was trained beside model 0; now it is the only pending model, so it trains alone.
        File.WriteAllText(Path.Combine(run, "models", "model-0001.npz"), "garbage");
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "pairs.yaml", "--run", "R"));

        Assert.True(original.AsSpan().SequenceEqual(File.ReadAllBytes(logits)),
            "model 1 retrained alone gives other logits than model 1 trained in the pass (0, 1)");
    }
}
