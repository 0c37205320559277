using MiaLab.Core.Randomness;
using System.IO.Compression;
using System.Text;
using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>
/// A user mistake (bad config, bad data, bad arguments, a run directory that does not fit) is
/// exit code 2 and one line on stderr starting "mialab:", never a stack trace, and writes nothing.
/// </summary>
public sealed class InputErrorTests : CliTest
{
    // ───────────────────────── configs ─────────────────────────

    public static TheoryData<string, string, string> BadConfigs() => new()
    {
        { "unknown key", TestFiles.TinyYaml().Replace("  batch_size: 32\n", "  batch_size: 32\n  learnin_rate: 0.1\n", StringComparison.Ordinal), "learnin_rate" },
        { "fewer than 2 models", TestFiles.TinyYaml(models: 1), "plan.models" },
        { "wrong type", TestFiles.TinyYaml().Replace("  epochs: 5\n", "  epochs: many\n", StringComparison.Ordinal), "epochs" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Train_refuses_a_bad_config(string what, string yaml, string named)
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "bad.yaml", yaml);
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "bad.yaml", "--run", "R"));
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"{what}: the message does not name '{named}': {line}");
        Assert.False(Directory.Exists(Path.Combine(work, "R")), $"{what}: a run directory was created for a bad config");
    }

    [Fact]
    public void Train_refuses_a_run_directory_made_with_another_config_and_leaves_it_untouched()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "a.yaml", TestFiles.TinyYaml(models: 2, epochs: 2, modelsPerPass: 2));
        TestFiles.Write(work, "b.yaml", TestFiles.TinyYaml(models: 2, epochs: 3, modelsPerPass: 2));
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "a.yaml", "--run", "R"));
        string run = Path.Combine(work, "R");
        var manifest = File.ReadAllBytes(Path.Combine(run, "manifest.json"));
        var before = TestFiles.Snapshot(run);

        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "b.yaml", "--run", "R"));

        Assert.Contains("another config", line);
        Assert.True(manifest.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(run, "manifest.json"))), "manifest.json changed");
        var after = TestFiles.Snapshot(run);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (file, bytes) in before)
            Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed after a refused train");
    }

    [Fact]
    public void Train_refuses_a_bad_shard()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml());
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "R", "--shard", "3/2"));
        Assert.Contains("3/2", line);
        Assert.False(Directory.Exists(Path.Combine(work, "R")));
    }

    // ───────────────────────── dataset files ─────────────────────────

    [Fact]
    public void Train_refuses_a_missing_npz_dataset()
    {
        string work = NewWorkDir();
        string missing = Path.Combine(work, "missing.npz");
        string line = TrainOnDataset(work, $"  source: npz\n  path: '{missing}'");
        Assert.Contains("missing.npz", line);
    }

    [Fact]
    public void Train_refuses_an_npz_dataset_with_a_truncated_array()
    {
        string work = NewWorkDir();
        string path = Path.Combine(work, "data.npz");
        var rng = new StableRandom(1);
        var x = new float[100 * 5];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var y = new long[100];
        for (int i = 0; i < y.Length; i++) y[i] = i % 3;
        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            byte[] xBytes = NpyBytes(new NpyArray(x, 100, 5));
            WriteEntry(zip, "x.npy", xBytes[..(xBytes.Length - 7 * 4 * 5)]); // the last 7 rows are missing
            WriteEntry(zip, "y.npy", NpyBytes(new NpyArray(y, 100)));
        }
        string line = TrainOnDataset(work, $"  source: npz\n  path: '{path}'");
        Assert.Contains("truncated", line);
        Assert.Contains("x.npy", line);
    }

    [Theory]
    [InlineData("label out of range", -1, "1.0", "label")]
    [InlineData("NaN feature", 1, "NaN", "non-finite")]
    public void Train_refuses_a_csv_dataset_with_a_bad_value(string what, long badLabel, string badFeature, string named)
    {
        string work = NewWorkDir();
        var csv = new StringBuilder("label,f0,f1,f2\n");
        for (int i = 0; i < 60; i++)
        {
            bool bad = i == 17;
            csv.Append(bad ? badLabel : i % 3).Append(',')
               .Append(bad ? badFeature : (i * 0.1).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))
               .Append(",0.5,").Append(i % 7).Append('\n');
        }
        string path = TestFiles.Write(work, "data.csv", csv.ToString());
        string line = TrainOnDataset(work, $"  source: csv\n  path: '{path}'");
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"{what}: the message does not say '{named}': {line}");
    }

    [Theory]
    [InlineData("truncated", "truncated")]
    [InlineData("bad magic", "not an IDX file")]
    public void Train_refuses_a_damaged_idx_dataset(string damage, string named)
    {
        string work = NewWorkDir();
        const int n = 60;
        var images = new byte[n * 4 * 4];
        for (int i = 0; i < images.Length; i++) images[i] = (byte)(i * 37 % 256);
        byte[] imageFile = Idx(0x08, [n, 4, 4], images);
        if (damage == "truncated") imageFile = imageFile[..(imageFile.Length - 50)];
        else { imageFile[0] = 0x12; imageFile[1] = 0x34; }
        string imagesPath = Path.Combine(work, "images.idx");
        File.WriteAllBytes(imagesPath, imageFile);
        string labelsPath = Path.Combine(work, "labels.idx");
        File.WriteAllBytes(labelsPath, Idx(0x08, [n], Enumerable.Range(0, n).Select(i => (byte)(i % 3)).ToArray()));

        string line = TrainOnDataset(work, $"  source: idx\n  path: '{imagesPath}'\n  labels_path: '{labelsPath}'");
        Assert.Contains(named, line);
        Assert.Contains("images.idx", line);
    }

    // ───────────────────────── attack ─────────────────────────

    [Fact]
    public void Attack_refuses_a_target_out_of_range()
    {
        string work = NewWorkDir();
        TestFiles.WriteForeignRun(Path.Combine(work, "R"), models: 4, samples: 60);
        string line = AttackFails(work, "--attacks", "loss", "--target", "99");
        Assert.Contains("99", line);
    }

    [Fact]
    public void Attack_refuses_an_unknown_attack()
    {
        string work = NewWorkDir();
        TestFiles.WriteForeignRun(Path.Combine(work, "R"), models: 4, samples: 60);
        string line = AttackFails(work, "--attacks", "loss,nope");
        Assert.Contains("nope", line);
    }

    public static TheoryData<string[], string> BadAttackSettings() => new()
    {
        { ["--rmia-gamma", "0"], "--rmia-gamma must be > 0 (got '0')" },
        { ["--rmia-gamma", "-2"], "--rmia-gamma must be > 0" },
        { ["--rmia-offline-a", "1.5"], "--rmia-offline-a must be in [0, 1] or auto (got '1.5')" },
        { ["--rmia-offline-a", "-0.1"], "--rmia-offline-a must be in [0, 1] or auto" },
        { ["--lira-variance", "pooled"], "--lira-variance must be one of per-sample, global, auto (got 'pooled')" },
        { ["--ref-policy", "out-k", "--out-refs", "6"], "6 OUT references per sample asked, but sample" },
        { ["--refs", "0=0,1"], "--refs: the list of target 0 names the target itself" },
        { ["--ref-policy", "all-but-mate"], "target 0 has no complementary mate" },
        { ["--confidence", "1.5"], "--confidence must be in (0, 1)" },
        { ["--attacks", "lira-online-fixed-var", "--lira-variance", "per-sample"], "lira-online-fixed-var is lira-online with its parameters fixed" },
    };

    [Theory]
    [MemberData(nameof(BadAttackSettings))]
    public void Attack_refuses_a_bad_setting_in_one_line(string[] options, string expected)
    {
        string work = NewWorkDir();
        TestFiles.WriteForeignRun(Path.Combine(work, "R"), models: 6, samples: 60);
        string line = AttackFails(work, options);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void Attack_refuses_a_bad_attacks_section_in_its_config()
    {
        string work = NewWorkDir();
        TestFiles.WriteForeignRun(Path.Combine(work, "R"), models: 6, samples: 60);
        TestFiles.Write(work, "a.yaml", "attacks:\n  references: explicit\n  reference_lists:\n    '1': [1, 2]\n");
        Assert.Contains("attacks.reference_lists.1 names the target 1 itself", AttackFails(work, "--config", "a.yaml"));
        TestFiles.Write(work, "b.yaml", "attacks:\n  parameters:\n    rmia:\n      gamma: 0\n");
        Assert.Contains("attacks.parameters.rmia.gamma must be > 0", AttackFails(work, "--config", "b.yaml"));
    }

    [Fact]
    public void Train_refuses_a_holdout_file_whose_samples_have_another_shape()
    {
        string work = NewWorkDir();
        string data = Path.Combine(work, "data.npz"), held = Path.Combine(work, "held.npz");
        Npz.Write(data, new Dictionary<string, NpyArray> { ["x"] = new(new float[40 * 5], 40, 5), ["y"] = new(Enumerable.Range(0, 40).Select(i => (long)(i % 2)).ToArray(), 40) });
        Npz.Write(held, new Dictionary<string, NpyArray> { ["x"] = new(new float[10 * 6], 10, 6), ["y"] = new(new long[10], 10) });
        string line = TrainOnDataset(work, $"  source: npz\n  path: '{data}'\n  holdout_path: '{held}'");
        Assert.Contains("held.npz: holdout samples have shape (6,) but the data's are (5,)", line);
    }

    [Fact]
    public void Attack_refuses_keep_and_labels_that_disagree_on_N()
    {
        string work = NewWorkDir();
        string run = Path.Combine(work, "R");
        var (labels, _) = TestFiles.WriteForeignRun(run, models: 4, samples: 60);
        Npy.Write(Path.Combine(run, "labels.npy"), new NpyArray(labels[..59], 59));
        string line = AttackFails(work, "--attacks", "loss");
        Assert.Contains("keep.npy", line);
    }

    [Fact]
    public void Attack_refuses_logits_with_NaN()
    {
        string work = NewWorkDir();
        string run = Path.Combine(work, "R");
        TestFiles.WriteForeignRun(run, models: 4, samples: 60);
        string path = Path.Combine(run, "logits", "model-0002.npy");
        var logits = Npy.Read(path);
        var values = logits.Get<float>();
        values[5 * 3 + 1] = float.NaN;
        Npy.Write(path, new NpyArray(values, logits.Shape));
        string line = AttackFails(work, "--attacks", "loss");
        Assert.Contains("NaN", line);
        Assert.Contains("model-0002.npy", line);
    }

    [Theory]
    [InlineData(3)] // fewer models in keep.npy than logits files
    [InlineData(5)] // more models in keep.npy than logits files
    public void Attack_refuses_keep_with_another_number_of_models_than_logits(int keepModels)
    {
        string work = NewWorkDir();
        string run = Path.Combine(work, "R");
        TestFiles.WriteForeignRun(run, models: 4, samples: 60);
        var keep = new bool[keepModels * 60];
        for (int i = 0; i < keep.Length; i++) keep[i] = (i * 7 + i / 60) % 2 == 0;
        Npy.Write(Path.Combine(run, "keep.npy"), new NpyArray(keep, keepModels, 60));
        string line = AttackFails(work, "--attacks", "loss");
        Assert.Contains("logits", line);
    }

    // ───────────────────────── evaluate, signal ─────────────────────────

    [Theory]
    [InlineData("different lengths", 50, 49, 20)]
    [InlineData("no members", 50, 50, 0)]
    [InlineData("no non-members", 50, 50, 50)]
    public void Evaluate_refuses_scores_and_membership_that_cannot_be_evaluated(string what, int scoreCount, int memberCount, int members)
    {
        string work = NewWorkDir();
        var scores = Enumerable.Range(0, scoreCount).Select(i => i * 0.01).ToArray();
        var member = Enumerable.Range(0, memberCount).Select(i => i < members).ToArray();
        Npy.Write(Path.Combine(work, "scores.npy"), new NpyArray(scores, scores.Length));
        Npy.Write(Path.Combine(work, "member.npy"), new NpyArray(member, member.Length));
        var r = Cli.Run(work, "evaluate", "--scores", "scores.npy", "--membership", "member.npy", "--json");
        string line = Cli.AssertUserError(r);
        Assert.True(r.Stdout.Trim().Length == 0, $"{what}: evaluate printed output despite the error:\n{r.Stdout}");
        Assert.True(line.Length > "mialab: ".Length, what);
    }

    [Fact]
    public void Signal_refuses_an_unknown_kind()
    {
        string work = NewWorkDir();
        Npy.Write(Path.Combine(work, "logits.npy"), new NpyArray(new float[] { 1, 0, 0, 1 }, 2, 2));
        Npy.Write(Path.Combine(work, "labels.npy"), new NpyArray(new long[] { 0, 1 }, 2));
        string line = Cli.AssertUserError(Cli.Run(work, "signal", "--logits", "logits.npy", "--labels", "labels.npy", "--kind", "nope", "--out", "out.npy"));
        Assert.Contains("nope", line);
        Assert.False(File.Exists(Path.Combine(work, "out.npy")));
    }

    // ───────────────────────── helpers ─────────────────────────

    /// <summary>Trains a run on the given dataset section, expects a user error and no run directory.</summary>
    private static string TrainOnDataset(string work, string datasetSection)
    {
        TestFiles.Write(work, "data.yaml", TestFiles.TinyYaml(models: 2, epochs: 1, modelsPerPass: 2, datasetSection: datasetSection));
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "data.yaml", "--run", "R"));
        Assert.False(Directory.Exists(Path.Combine(work, "R")), "a run directory was created for data that cannot be read");
        return line;
    }

    /// <summary>Attacks run R, expects a user error, and checks no scores or metrics were written.</summary>
    private static string AttackFails(string work, params string[] options)
    {
        string line = Cli.AssertUserError(Cli.Run(work, ["attack", "--run", "R", "--bootstrap", "0", .. options]));
        string run = Path.Combine(work, "R");
        Assert.False(File.Exists(Path.Combine(run, "metrics.json")), "metrics.json written by a failed attack");
        Assert.False(Directory.Exists(Path.Combine(run, "attacks")), "attacks/ written by a failed attack");
        Assert.False(Directory.Exists(Path.Combine(run, "report")), "report/ written by a failed attack");
        return line;
    }

    private static byte[] NpyBytes(NpyArray array)
    {
        using var s = new MemoryStream();
        Npy.Write(s, array);
        return s.ToArray();
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        using var e = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        e.Write(bytes);
    }

    /// <summary>An IDX file: 0 0 type ndim, big-endian int32 dimensions, then the data.</summary>
    private static byte[] Idx(byte type, int[] shape, byte[] data)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)shape.Length };
        foreach (int d in shape) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return bytes.ToArray();
    }
}
